# Multi-stage build of the operator image. No Docker engine runs on this project's build machines, so
# CI does not build it; `docker build -t aws-datastore-operator .` does, anywhere one runs.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -ntp -q dependency:go-offline
COPY src src
COPY crds crds
RUN mvn -B -ntp -q package -DskipTests

# JRE only, no shell needed at run time; the distroless user 65532 matches the chart's securityContext.
FROM gcr.io/distroless/java17-debian12:nonroot
COPY --from=build /src/target/aws-datastore-operator.jar /app/aws-datastore-operator.jar
USER 65532:65532
# JSON log lines with flat keys in the container; `OPERATOR_LOG_FORMAT=text` for a person reading them.
ENV OPERATOR_LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/aws-datastore-operator.jar"]
CMD ["run"]
