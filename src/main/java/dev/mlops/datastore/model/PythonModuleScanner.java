package dev.mlops.datastore.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the names a Python module binds at module level, without running or fully parsing it: a
 * tokenizer that knows strings (single, triple, prefixed), comments, line continuations
 * (backslash, and newlines inside brackets) and indentation, so that a {@code def predict_df}
 * inside a docstring, a comment, a class or an {@code if} block is not taken for a module-level
 * one. Module level are {@code def}, {@code async def}, {@code class}, assignments (also annotated
 * and chained) and imports ({@code from m import predict_df}) on logical lines at indentation 0.
 * Definitions deeper are reported with the block that encloses them.
 *
 * <p>Work and memory are linear in the text, which the caller has already bounded by its read
 * budget; the names kept are capped.
 */
public final class PythonModuleScanner {
  static final int MAX_TOP_LEVEL = 2000;
  static final int MAX_NESTED = 500;
  static final int MAX_TOKENS = 256;
  static final int MAX_BLOCKS = 200;

  private static final Set<String> KEYWORDS = Set.of("False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
      "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
      "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield");
  private static final Set<String> BLOCKS = Set.of("class", "def", "async", "if", "elif", "else", "for", "while", "try", "except",
      "finally", "with", "match", "case");
  private static final Set<String> STRING_PREFIXES = Set.of("r", "u", "b", "f", "br", "rb", "fr", "rf");
  private static final String OPERATOR_CHARS = "=<>!+-*/%&|^~@";
  /** Tokens that stand for a literal: no identifier starts with NUL. */
  private static final String STRING = "\u0000str";
  private static final String NUMBER = "\u0000num";

  /** What binds a name. */
  public enum Kind {
    FUNCTION,
    CLASS,
    ASSIGNMENT,
    IMPORT
  }

  /**
   * A bound name.
   *
   * @param enclosing for a nested definition, the block around it ("class Model", "if block",
   *     "function load"); null at module level
   */
  public record Definition(String name, Kind kind, int line, String enclosing) {}

  /** Module-level and nested definitions, in source order. */
  public record Result(List<Definition> topLevel, List<Definition> nested, boolean capped) {
    /** The first module-level binding of this name. */
    public Optional<Definition> topLevel(String name) {
      return topLevel.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /** Names bound at module level, once each, in source order. */
    public List<String> topLevelNames() {
      Set<String> names = new LinkedHashSet<>();
      topLevel.forEach(d -> names.add(d.name()));
      return List.copyOf(names);
    }

    /** Functions defined at module level, once each, in source order. */
    public List<String> functions() {
      Set<String> names = new LinkedHashSet<>();
      topLevel.stream().filter(d -> d.kind() == Kind.FUNCTION).forEach(d -> names.add(d.name()));
      return List.copyOf(names);
    }
  }

  private record Block(int indent, String description) {}

  private final String src;
  private final int n;
  private int i;
  private int line = 1;
  private int depth;
  private final List<String> tokens = new ArrayList<>();
  private String lastToken;
  private int logicalIndent;
  private int logicalLine;
  private final Deque<Block> blocks = new ArrayDeque<>();
  private final List<Definition> topLevel = new ArrayList<>();
  private final List<Definition> nested = new ArrayList<>();
  private boolean capped;

  private PythonModuleScanner(String src) {
    this.src = src;
    this.n = src.length();
  }

  public static Result scan(String source) {
    PythonModuleScanner s = new PythonModuleScanner(source);
    s.run();
    return new Result(List.copyOf(s.topLevel), List.copyOf(s.nested), s.capped);
  }

  private void run() {
    boolean lineStart = true;
    while (i < n) {
      char c = src.charAt(i);
      if (lineStart) {
        int col = 0;
        while (i < n && (src.charAt(i) == ' ' || src.charAt(i) == '\t' || src.charAt(i) == '\f')) {
          char w = src.charAt(i);
          col = w == '\t' ? (col / 8 + 1) * 8 : w == '\f' ? 0 : col + 1;
          i++;
        }
        if (i >= n) {
          break;
        }
        c = src.charAt(i);
        if (c == '#') {
          skipComment();
          continue;
        }
        if (c == '\n' || c == '\r') {
          newline();
          continue;
        }
        lineStart = false;
        startLogical(col);
        continue;
      }
      if (c == '#') {
        skipComment();
      } else if (c == '\\' && i + 1 < n && (src.charAt(i + 1) == '\n' || src.charAt(i + 1) == '\r')) {
        i++;
        newline();
      } else if (c == '\n' || c == '\r') {
        newline();
        if (depth == 0) {
          endLogical();
          lineStart = true;
        }
      } else if (c == ' ' || c == '\t' || c == '\f') {
        i++;
      } else if (c == '"' || c == '\'') {
        skipString();
        token(STRING);
      } else if (Character.isLetter(c) || c == '_' || c > 0x7f && Character.isUnicodeIdentifierStart(c)) {
        int start = i;
        while (i < n && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '_'
            || src.charAt(i) > 0x7f && Character.isUnicodeIdentifierPart(src.charAt(i)))) {
          i++;
        }
        String word = src.substring(start, i);
        if (i < n && (src.charAt(i) == '"' || src.charAt(i) == '\'') && STRING_PREFIXES.contains(word.toLowerCase(java.util.Locale.ROOT))) {
          skipString();
          token(STRING);
        } else {
          token(word);
        }
      } else if (c >= '0' && c <= '9') {
        while (i < n && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '_' || src.charAt(i) == '.')) {
          i++;
        }
        token(NUMBER);
      } else if (c == '(' || c == '[' || c == '{') {
        depth++;
        i++;
        token(String.valueOf(c));
      } else if (c == ')' || c == ']' || c == '}') {
        depth = Math.max(0, depth - 1);
        i++;
        token(String.valueOf(c));
      } else if (c == ';' && depth == 0) {
        i++;
        endLogical();
        startLogical(logicalIndent);
      } else if (c == ':' && i + 1 < n && src.charAt(i + 1) == '=') {
        i += 2;
        token(":=");
      } else if (OPERATOR_CHARS.indexOf(c) >= 0) {
        int start = i;
        while (i < n && OPERATOR_CHARS.indexOf(src.charAt(i)) >= 0) {
          i++;
        }
        token(src.substring(start, Math.min(i, start + 3)));
      } else {
        i++;
        token(String.valueOf(c));
      }
    }
    endLogical();
  }

  private void startLogical(int indent) {
    logicalIndent = indent;
    logicalLine = line;
    tokens.clear();
    lastToken = null;
  }

  private void token(String t) {
    if (tokens.size() < MAX_TOKENS) {
      tokens.add(t);
    }
    lastToken = t;
  }

  private void newline() {
    if (src.charAt(i) == '\r' && i + 1 < n && src.charAt(i + 1) == '\n') {
      i++;
    }
    i++;
    line++;
  }

  private void skipComment() {
    while (i < n && src.charAt(i) != '\n' && src.charAt(i) != '\r') {
      i++;
    }
  }

  /** From a quote at i to after the closing one (or the line end for an unterminated short string). */
  private void skipString() {
    char q = src.charAt(i);
    boolean triple = i + 2 < n && src.charAt(i + 1) == q && src.charAt(i + 2) == q;
    i += triple ? 3 : 1;
    while (i < n) {
      char c = src.charAt(i);
      if (c == '\\' && i + 1 < n) {
        if (src.charAt(i + 1) == '\n' || src.charAt(i + 1) == '\r') {
          i++;
          newline();
        } else {
          i += 2;
        }
        continue;
      }
      if (c == '\n' || c == '\r') {
        if (!triple) {
          return;
        }
        newline();
        continue;
      }
      if (c == q) {
        if (!triple) {
          i++;
          return;
        }
        if (i + 2 < n && src.charAt(i + 1) == q && src.charAt(i + 2) == q) {
          i += 3;
          return;
        }
      }
      i++;
    }
  }

  private void endLogical() {
    if (tokens.isEmpty()) {
      return;
    }
    while (!blocks.isEmpty() && blocks.peek().indent() >= logicalIndent) {
      blocks.pop();
    }
    String enclosing = logicalIndent == 0 || blocks.isEmpty() ? (logicalIndent == 0 ? null : "an indented block") : blocks.peek().description();
    String first = tokens.get(0);
    boolean isDef = first.equals("def") || first.equals("async") && tokens.size() > 1 && tokens.get(1).equals("def");
    if (isDef || first.equals("class")) {
      int at = first.equals("async") ? 2 : 1;
      if (at < tokens.size() && isName(tokens.get(at))) {
        String name = tokens.get(at);
        define(name, isDef ? Kind.FUNCTION : Kind.CLASS, enclosing);
        openBlock((isDef ? "function " : "class ") + name);
      }
    } else if (first.equals("from") || first.equals("import")) {
      imports(first.equals("from"), enclosing);
    } else if (BLOCKS.contains(first) && ":".equals(lastToken)) {
      openBlock(first + " block");
    } else if (isName(first)) {
      assignment(enclosing);
    }
    tokens.clear();
  }

  private void openBlock(String description) {
    if (":".equals(lastToken) && blocks.size() < MAX_BLOCKS) {
      blocks.push(new Block(logicalIndent, description));
    }
  }

  private void imports(boolean from, String enclosing) {
    int k = 0;
    if (from) {
      while (k < tokens.size() && !tokens.get(k).equals("import")) {
        k++;
      }
    }
    k++;
    while (k < tokens.size()) {
      String t = tokens.get(k);
      if (t.equals("(") || t.equals(")") || t.equals(",")) {
        k++;
        continue;
      }
      if (!isName(t)) {
        return;
      }
      String bound = t;
      k++;
      while (!from && k + 1 < tokens.size() && tokens.get(k).equals(".")) {
        k += 2;
      }
      if (k + 1 < tokens.size() && tokens.get(k).equals("as") && isName(tokens.get(k + 1))) {
        bound = tokens.get(k + 1);
        k += 2;
      }
      define(bound, Kind.IMPORT, enclosing);
    }
  }

  /** {@code a = ...}, {@code a, b = ...}, {@code a = b = ...}, {@code a: T = ...}. */
  private void assignment(String enclosing) {
    int k = 0;
    while (k < tokens.size()) {
      List<String> targets = new ArrayList<>();
      while (k < tokens.size() && isName(tokens.get(k))) {
        targets.add(tokens.get(k));
        k++;
        if (k < tokens.size() && tokens.get(k).equals(",")) {
          k++;
        } else {
          break;
        }
      }
      if (targets.isEmpty() || k >= tokens.size()) {
        return;
      }
      if (tokens.get(k).equals(":") && targets.size() == 1) {
        // An annotation binds only with a value: a: int = 1.
        int eq = tokens.indexOf("=");
        if (eq > k) {
          define(targets.get(0), Kind.ASSIGNMENT, enclosing);
        }
        return;
      }
      if (!tokens.get(k).equals("=")) {
        return;
      }
      targets.forEach(t -> define(t, Kind.ASSIGNMENT, enclosing));
      k++;
    }
  }

  private void define(String name, Kind kind, String enclosing) {
    if (enclosing == null) {
      if (topLevel.size() < MAX_TOP_LEVEL) {
        topLevel.add(new Definition(name, kind, logicalLine, null));
      } else {
        capped = true;
      }
    } else if (nested.size() < MAX_NESTED) {
      nested.add(new Definition(name, kind, logicalLine, enclosing));
    } else {
      capped = true;
    }
  }

  private static boolean isName(String t) {
    if (t.isEmpty() || KEYWORDS.contains(t)) {
      return false;
    }
    char c = t.charAt(0);
    return Character.isLetter(c) || c == '_' || c > 0x7f && Character.isUnicodeIdentifierStart(c);
  }
}
