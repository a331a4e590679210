{{- define "ado.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ado.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "ado.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "ado.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "ado.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "ado.labels" -}}
app.kubernetes.io/name: {{ include "ado.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "ado.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ado.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ado.serviceAccountName" -}}
{{- default (include "ado.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "ado.leaderElection" -}}
{{- if or .Values.leaderElection.enabled (gt (int .Values.replicaCount) 1) -}}true{{- else -}}false{{- end -}}
{{- end -}}

{{/* The operator's rules, by purpose; shared by ClusterRoles and namespaced Roles. */}}
{{- define "ado.rules.resources" -}}
# Read the custom resources; patch AwsIntegrations to add and remove the finalizer.
- apiGroups: ["datastore.mlops.dev"]
  resources: ["awsintegrations", "datasets", "modelartifacts"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["datastore.mlops.dev"]
  resources: ["awsintegrations"]
  verbs: ["patch", "update"]
- apiGroups: ["datastore.mlops.dev"]
  resources: ["awsintegrations/status", "datasets/status", "modelartifacts/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["datastore.mlops.dev"]
  resources: ["awsintegrations/finalizers"]
  verbs: ["patch", "update"]
{{- end -}}

{{- define "ado.rules.serviceaccounts" -}}
# Annotate the integrations' service accounts for IRSA (only the annotations it owns), and read
# their pods to find those that started before the role (read only: nothing is deleted).
- apiGroups: [""]
  resources: ["serviceaccounts"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
{{- end -}}

{{- define "ado.rules.restarts" -}}
# Restart the workloads whose pods lack the role (spec.restartStalePods), as kubectl rollout
# restart does: a patch of the pod template's annotations. Patch only: no get, no delete.
- apiGroups: ["apps"]
  resources: ["deployments", "statefulsets", "daemonsets"]
  verbs: ["patch"]
{{- end -}}

{{- define "ado.rules.tokens" -}}
# Short-lived tokens of those service accounts, to prove their identity with STS.
- apiGroups: [""]
  resources: ["serviceaccounts/token"]
  verbs: ["create"]
{{- end -}}

{{- define "ado.rules.secrets" -}}
# The access-key Secrets integrations name: get only, never list or watch.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
{{- end -}}

{{- define "ado.rules.events" -}}
# Events on condition transitions.
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end -}}

{{- define "ado.rules.policies" -}}
# Read the cluster's AwsIntegrationPolicies (and write their status), and the namespaces' labels
# that policies select by. Cluster-wide also when watchNamespaces is set: both are cluster-scoped.
- apiGroups: ["datastore.mlops.dev"]
  resources: ["awsintegrationpolicies"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["datastore.mlops.dev"]
  resources: ["awsintegrationpolicies/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: [""]
  resources: ["namespaces"]
  verbs: ["get", "list", "watch"]
{{- end -}}
