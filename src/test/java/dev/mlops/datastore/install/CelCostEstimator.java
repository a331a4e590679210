package dev.mlops.datastore.install;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The worst-case cost the API server estimates for a CRD's CEL rules when the CRD is created, so
 * that a rule it would refuse fails a test instead of {@code kubectl apply -f crds/}.
 *
 * <p>It follows the API server's method, read from its sources:
 *
 * <ul>
 *   <li>cel-go {@code checker/cost.go} ({@code coster.cost}, {@code costSelect}, {@code costCall},
 *       {@code costComprehension}, {@code functionCost}) and {@code common/cost.go} for the
 *       constants: identifier and select 1, constants 0, list literal 10, map literal 30, string
 *       traversal factor 0.1, regex length factor 0.25; {@code matches} costs
 *       ⌈(len+1)·0.1⌉·⌈len(regex)·0.25⌉, {@code contains} ⌈len·0.1⌉·⌈len(sub)·0.1⌉, {@code
 *       startsWith}/{@code endsWith} ⌈len(arg)·0.1⌉, string comparison ⌈min(max sizes)·0.1⌉,
 *       {@code in} the list size, {@code &&}/{@code ||} only their arguments, everything else 1;
 *       a comprehension ({@code all}, {@code exists}, ...) costs its range and init plus size(range)
 *       × (loop condition + loop step);
 *   <li>Kubernetes {@code staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/
 *       model/schemas.go} ({@code SchemaDeclType}, {@code estimateMaxStringLengthPerRequest},
 *       {@code estimateMaxArrayItemsFromMinSize}) for sizes: a string with {@code maxLength} n is
 *       4n bytes, without it the request limit (3 MiB) minus 2, date-time 32; an array without
 *       {@code maxItems} holds (3 MiB − 2)/(min item size + 1) items; and {@code compilation.go}
 *       ({@code sizeEstimator.EstimateSize}) for reading sizes by the path from {@code self};
 *   <li>{@code k8s.io/apiserver/pkg/cel/environment/base.go}: presence tests ({@code has()}) cost
 *       nothing ({@code PresenceTestHasCost(false)}); {@code k8s.io/apiserver/pkg/cel/library/
 *       cost.go} prices the Kubernetes library functions, none of which our rules use (the
 *       estimator refuses a function it does not know rather than guess);
 *   <li>{@code apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go}: {@code
 *       StaticEstimatedCostLimit} 10^7 per rule, {@code StaticEstimatedCRDCostLimit} 10^8 for the
 *       sum of each rule's cost times the number of times it can run (the product of the
 *       {@code maxItems} of the arrays above it).
 * </ul>
 */
final class CelCostEstimator {
  static final long PER_RULE_LIMIT = 10_000_000L;
  static final long PER_CRD_LIMIT = 100_000_000L;
  static final long MAX_REQUEST_SIZE_BYTES = 3L * 1024 * 1024;
  private static final long MAX_DATETIME_SIZE_JSON = 32;
  private static final long MAX_DURATION_SIZE_JSON = 32;
  private static final long JSON_DATE_SIZE = 12;
  private static final long MIN_STRING_SIZE = 2;
  private static final long MIN_BOOL_SIZE = 4;
  private static final long MIN_NUMBER_SIZE = 1;
  private static final long UNKNOWN = Long.MAX_VALUE;

  private static final CelCompiler PARSER =
      CelCompilerFactory.standardCelCompilerBuilder().setStandardMacros(CelStandardMacro.STANDARD_MACROS).build();

  /** One rule's estimate: where it sits, its cost per run, and how many times it can run. */
  record RuleCost(String path, String rule, long cost, long cardinality) {
    long total() {
      return saturatingMultiply(cost, cardinality);
    }
  }

  /** Every rule under {@code openApiSchema}, with its estimate. */
  static List<RuleCost> estimate(JsonNode openApiSchema) {
    List<RuleCost> out = new ArrayList<>();
    walk(openApiSchema, "", 1, out);
    return out;
  }

  private static void walk(JsonNode schema, String path, long cardinality, List<RuleCost> out) {
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      String text = rule.path("rule").asText();
      out.add(new RuleCost(path.isEmpty() ? "." : path, text, ruleCost(schema, text), cardinality));
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      walk(p.getValue(), path + "." + p.getKey(), cardinality, out);
    }
    if (schema.has("items")) {
      walk(schema.get("items"), path + "[*]", saturatingMultiply(cardinality, maxElements(schema)), out);
    }
    if (schema.path("additionalProperties").isObject()) {
      walk(schema.get("additionalProperties"), path + "[*]", saturatingMultiply(cardinality, maxElements(schema)), out);
    }
  }

  /** The estimated maximum cost of one rule with {@code self} bound to a value of {@code schema}. */
  static long ruleCost(JsonNode schema, String rule) {
    CelExpr expr;
    try {
      expr = PARSER.parse(rule).getAst().getExpr();
    } catch (Exception e) {
      throw new IllegalArgumentException("rule does not parse: " + rule, e);
    }
    return new Coster(schema).cost(expr).cost;
  }

  /**
   * How many elements a value of this schema can hold (runes·4 for strings, items for arrays,
   * properties for maps): {@code DeclType.MaxElements} as {@code SchemaDeclType} sets it.
   */
  static long maxElements(JsonNode schema) {
    switch (schema.path("type").asText()) {
      case "string":
        switch (schema.path("format").asText()) {
          case "date-time":
            return MAX_DATETIME_SIZE_JSON;
          case "date":
            return JSON_DATE_SIZE;
          case "duration":
            return MAX_DURATION_SIZE_JSON;
          case "byte":
            return schema.has("maxLength") ? schema.get("maxLength").asLong() : MAX_REQUEST_SIZE_BYTES - 2;
          default:
            return schema.has("maxLength") ? schema.get("maxLength").asLong() * 4 : MAX_REQUEST_SIZE_BYTES - 2;
        }
      case "array":
        return schema.has("maxItems")
            ? schema.get("maxItems").asLong()
            : (MAX_REQUEST_SIZE_BYTES - 2) / (minSerializedSize(schema.path("items")) + 1);
      case "object":
        if (schema.path("additionalProperties").isObject()) {
          return schema.has("maxProperties")
              ? schema.get("maxProperties").asLong()
              : (MAX_REQUEST_SIZE_BYTES - 2) / (minSerializedSize(schema.get("additionalProperties")) + 6);
        }
        return 0;
      default:
        return 1;
    }
  }

  private static long minSerializedSize(JsonNode schema) {
    switch (schema.path("type").asText()) {
      case "string":
        return MIN_STRING_SIZE;
      case "boolean":
        return MIN_BOOL_SIZE;
      case "integer":
      case "number":
        return MIN_NUMBER_SIZE;
      case "array":
        return 2;
      default:
        long size = 2;
        for (JsonNode required : schema.path("required")) {
          JsonNode prop = schema.path("properties").path(required.asText());
          if (!prop.has("default")) {
            size += required.asText().length() + minSerializedSize(prop) + 4;
          }
        }
        return size;
    }
  }

  private enum Kind { BOOL, INT, STRING, LIST, MAP, OBJECT, UNKNOWN }

  /** A sub-expression's cost and what is known of its value: kind, size, and schema if any. */
  private record Estimate(long cost, Kind kind, long size, JsonNode schema) {
    static Estimate of(long cost, Kind kind, long size) {
      return new Estimate(cost, kind, size, MissingNode.getInstance());
    }

    Estimate withCost(long newCost) {
      return new Estimate(newCost, kind, size, schema);
    }
  }

  private static final class Coster {
    private final JsonNode self;
    private final Deque<Map.Entry<String, Estimate>> locals = new ArrayDeque<>();

    Coster(JsonNode self) {
      this.self = self;
    }

    Estimate cost(CelExpr e) {
      switch (e.exprKind().getKind()) {
        case CONSTANT:
          return constant(e.constant());
        case IDENT:
          return ident(e.ident().name());
        case SELECT:
          return select(e.select());
        case CALL:
          return call(e.call());
        case LIST: {
          long sum = 10;
          for (CelExpr element : e.list().elements()) {
            sum = saturatingAdd(sum, cost(element).cost);
          }
          return Estimate.of(sum, Kind.LIST, e.list().elements().size());
        }
        case MAP: {
          long sum = 30;
          for (var entry : e.map().entries()) {
            sum = saturatingAdd(sum, saturatingAdd(cost(entry.key()).cost, cost(entry.value()).cost));
          }
          return Estimate.of(sum, Kind.MAP, e.map().entries().size());
        }
        case COMPREHENSION:
          return comprehension(e.comprehension());
        default:
          throw new IllegalArgumentException("unsupported CEL construct " + e.exprKind().getKind());
      }
    }

    private static Estimate constant(CelConstant c) {
      switch (c.getKind()) {
        case STRING_VALUE:
          return Estimate.of(0, Kind.STRING, c.stringValue().codePointCount(0, c.stringValue().length()));
        case BYTES_VALUE:
          return Estimate.of(0, Kind.STRING, c.bytesValue().size());
        case BOOLEAN_VALUE:
          return Estimate.of(0, Kind.BOOL, 1);
        case INT64_VALUE:
        case UINT64_VALUE:
          return Estimate.of(0, Kind.INT, 1);
        default:
          return Estimate.of(0, Kind.UNKNOWN, 1);
      }
    }

    private Estimate ident(String name) {
      for (Map.Entry<String, Estimate> local : locals) {
        if (local.getKey().equals(name)) {
          return local.getValue().withCost(1);
        }
      }
      if (name.equals("self") || name.equals("oldSelf")) {
        return fromSchema(self, 1);
      }
      throw new IllegalArgumentException("unknown identifier " + name);
    }

    private static Estimate fromSchema(JsonNode schema, long cost) {
      Kind kind;
      switch (schema.path("type").asText()) {
        case "string":
          kind = Kind.STRING;
          break;
        case "boolean":
          kind = Kind.BOOL;
          break;
        case "integer":
        case "number":
          kind = Kind.INT;
          break;
        case "array":
          kind = Kind.LIST;
          break;
        case "object":
          kind = schema.path("additionalProperties").isObject() ? Kind.MAP : Kind.OBJECT;
          break;
        default:
          kind = Kind.UNKNOWN;
      }
      return new Estimate(cost, kind, maxElements(schema), schema);
    }

    private Estimate select(CelExpr.CelSelect select) {
      Estimate operand = cost(select.operand());
      if (select.testOnly()) {
        // has(): PresenceTestHasCost(false) in Kubernetes' base environment.
        return Estimate.of(operand.cost, Kind.BOOL, 1);
      }
      JsonNode field = operand.schema.path("properties").path(select.field());
      if (field.isMissingNode() && operand.schema.path("additionalProperties").isObject()) {
        field = operand.schema.get("additionalProperties");
      }
      if (field.isMissingNode()) {
        // Not in the schema (e.g. metadata.name, which the API server adds unbounded): unknown size.
        return Estimate.of(saturatingAdd(operand.cost, 1), Kind.UNKNOWN, UNKNOWN);
      }
      // costSelect adds 1 when the operand is a map or an object.
      return fromSchema(field, saturatingAdd(operand.cost, 1));
    }

    private Estimate call(CelExpr.CelCall call) {
      List<Estimate> args = new ArrayList<>();
      for (CelExpr arg : call.args()) {
        args.add(cost(arg));
      }
      long argSum = 0;
      for (Estimate a : args) {
        argSum = saturatingAdd(argSum, a.cost);
      }
      Estimate target = call.target().map(this::cost).orElse(null);
      long targetCost = target == null ? 0 : target.cost;
      String fn = call.function();
      Estimate result;
      switch (fn) {
        case "_&&_":
        case "_||_":
          result = Estimate.of(argSum, Kind.BOOL, 1);
          break;
        case "_?_:_":
          result = new Estimate(
              saturatingAdd(args.get(0).cost, Math.max(args.get(1).cost, args.get(2).cost)),
              args.get(1).kind, Math.max(args.get(1).size, args.get(2).size), args.get(1).schema);
          break;
        case "matches":
          if (target != null) {
            long str = factor(saturatingAdd(target.size, 1), 0.1);
            long regex = factor(args.get(0).size, 0.25);
            result = Estimate.of(saturatingAdd(saturatingMultiply(str, regex), argSum), Kind.BOOL, 1);
          } else {
            result = Estimate.of(saturatingAdd(1, argSum), Kind.BOOL, 1);
          }
          break;
        case "contains":
          result = Estimate.of(
              saturatingAdd(saturatingMultiply(factor(target.size, 0.1), factor(args.get(0).size, 0.1)), argSum),
              Kind.BOOL, 1);
          break;
        case "startsWith":
        case "endsWith":
          result = Estimate.of(saturatingAdd(factor(args.get(0).size, 0.1), argSum), Kind.BOOL, 1);
          break;
        case "@in":
          result = Estimate.of(saturatingAdd(args.get(1).size, argSum), Kind.BOOL, 1);
          break;
        case "_==_":
        case "_!=_":
        case "_<_":
        case "_<=_":
        case "_>_":
        case "_>=_":
          if (fn.equals("_==_") || fn.equals("_!=_") || args.get(0).kind == Kind.STRING) {
            long smallestMax = Math.min(sizeOrUnknown(args.get(0)), sizeOrUnknown(args.get(1)));
            result = Estimate.of(saturatingAdd(factor(smallestMax, 0.1), argSum), Kind.BOOL, 1);
          } else {
            result = Estimate.of(saturatingAdd(1, argSum), Kind.BOOL, 1);
          }
          break;
        case "_+_":
          if (args.get(0).kind == Kind.STRING) {
            long size = saturatingAdd(args.get(0).size, args.get(1).size);
            result = Estimate.of(saturatingAdd(factor(size, 0.1), argSum), Kind.STRING, size);
          } else {
            result = Estimate.of(saturatingAdd(1, argSum), args.get(0).kind, saturatingAdd(args.get(0).size, args.get(1).size));
          }
          break;
        case "_[_]": {
          JsonNode container = args.get(0).schema;
          JsonNode element = container.has("items") ? container.get("items") : container.path("additionalProperties");
          result = fromSchema(element, saturatingAdd(1, argSum));
          break;
        }
        case "size":
        case "int":
        case "uint":
          result = Estimate.of(saturatingAdd(1, argSum), Kind.INT, 1);
          break;
        case "!_":
        case "@not_strictly_false":
        case "-_":
        case "_-_":
        case "_*_":
        case "_/_":
        case "_%_":
          result = Estimate.of(saturatingAdd(1, argSum), fn.equals("!_") || fn.startsWith("@") ? Kind.BOOL : Kind.INT, 1);
          break;
        default:
          throw new IllegalArgumentException(
              "no cost model for CEL function " + fn + ": add its cost from cel-go checker/cost.go or"
                  + " k8s.io/apiserver/pkg/cel/library/cost.go");
      }
      return result.withCost(saturatingAdd(result.cost, targetCost));
    }

    private static long sizeOrUnknown(Estimate e) {
      // A bool or an int has size 1 (computeTypeSize); an object has no MaxElements (0).
      return e.kind == Kind.UNKNOWN ? UNKNOWN : e.size;
    }

    private Estimate comprehension(CelExpr.CelComprehension c) {
      Estimate range = cost(c.iterRange());
      Estimate init = cost(c.accuInit());
      long sum = saturatingAdd(range.cost, init.cost);
      JsonNode element = range.schema.has("items") ? range.schema.get("items")
          : range.kind == Kind.MAP ? keySchema() : MissingNode.getInstance();
      Estimate iter = range.schema.isMissingNode() ? Estimate.of(0, Kind.UNKNOWN, UNKNOWN) : fromSchema(element, 0);
      locals.push(Map.entry(c.accuVar(), init));
      locals.push(Map.entry(c.iterVar(), iter));
      long loop = cost(c.loopCondition()).cost;
      long step = cost(c.loopStep()).cost;
      locals.pop();
      long result = cost(c.result()).cost;
      locals.pop();
      long rangeCount = range.kind == Kind.UNKNOWN ? UNKNOWN : range.size;
      sum = saturatingAdd(sum, result);
      sum = saturatingAdd(sum, saturatingMultiply(rangeCount, saturatingAdd(step, loop)));
      return Estimate.of(sum, init.kind, init.kind == Kind.LIST ? rangeCount : 1);
    }

    private static JsonNode keySchema() {
      // Map keys are strings the schema does not bound.
      return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("type", "string");
    }
  }

  /** cel-go's multiplyByCostFactor: the product rounded up. */
  static long factor(long size, double costPerUnit) {
    if (size == UNKNOWN) {
      return UNKNOWN;
    }
    double cost = Math.ceil(size * costPerUnit);
    return cost >= (double) Long.MAX_VALUE ? UNKNOWN : (long) cost;
  }

  static long saturatingAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  static long saturatingMultiply(long a, long b) {
    if (a == 0 || b == 0) {
      return 0;
    }
    return a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
  }
}
