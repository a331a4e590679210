package dev.mlops.datastore.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Module-level names as Python binds them, and nothing a string, comment or block hides. */
class PythonModuleScannerTest {
  private static PythonModuleScanner.Result scan(String source) {
    return PythonModuleScanner.scan(source);
  }

  @Test
  void shouldFindModuleLevelFunctionsAndIgnoreTheDocstring() {
    PythonModuleScanner.Result r = scan(ModelFiles.RI_MODEL);
    assertThat(r.functions()).containsExactly("predict_df");
    assertThat(r.topLevel("predict_dict")).isEmpty();
    assertThat(r.topLevelNames()).containsExactly("pickle", "Path", "_MODEL", "predict_df");
    assertThat(r.topLevel("predict_df").orElseThrow().line()).isEqualTo(11);
  }

  @Test
  void shouldReportAMethodAsNestedInItsClass() {
    PythonModuleScanner.Result r = scan(ModelFiles.RI_MODEL_NESTED);
    assertThat(r.topLevel("predict_df")).isEmpty();
    assertThat(r.nested()).anySatisfy(d -> {
      assertThat(d.name()).isEqualTo("predict_df");
      assertThat(d.enclosing()).isEqualTo("class FraudModel");
      assertThat(d.line()).isEqualTo(4);
    });
    assertThat(r.functions()).containsExactly("predict_dataframe");
  }

  @Test
  void shouldNotTakeADefInsideAnIfBlockForAModuleLevelOne() {
    PythonModuleScanner.Result r = scan("import os\nif os.environ.get('X'):\n    def predict_dict(x):\n        return x\n");
    assertThat(r.topLevel("predict_dict")).isEmpty();
    assertThat(r.nested()).singleElement().satisfies(d -> assertThat(d.enclosing()).isEqualTo("if block"));
  }

  @Test
  void shouldCountAsyncDefsAssignmentsAnnotationsChainsAndImports() {
    String src = """
        async def predict_dict(x):
            return x
        predict_df = _impl.predict
        threshold: float = 0.5
        labels: list
        a = b = 1
        c, d = 1, 2
        from impl import (helper,
                          predict_proba as proba)
        import numpy.linalg as la, os.path
        total += 1
        x == 1
        """;
    PythonModuleScanner.Result r = scan(src);
    assertThat(r.functions()).containsExactly("predict_dict");
    assertThat(r.topLevelNames()).containsExactly("predict_dict", "predict_df", "threshold", "a", "b", "c", "d", "helper", "proba", "la", "os");
  }

  @Test
  void shouldIgnoreDefsInCommentsStringsAndContinuedLines() {
    String src = "# def predict_df(df):\n"
        + "s = '''\ndef predict_df(df):\n'''\n"
        + "t = (1,\n  2) ; u = \"def predict_dict(x):\"\n"
        + "v = 1 + \\\n    2\n"
        + "w = r'\\'' ; z = f\"{1}\"\n";
    PythonModuleScanner.Result r = scan(src);
    assertThat(r.functions()).isEmpty();
    assertThat(r.topLevelNames()).containsExactly("s", "t", "u", "v", "w", "z");
  }

  @Test
  void shouldReadTabsCrLfAndDecoratorsAsPythonDoes() {
    String src = "class M:\r\n\tdef predict_df(self, df):\r\n\t\treturn df\r\n@cache\r\ndef predict_dict(x):\r\n    return x\r\n";
    PythonModuleScanner.Result r = scan(src);
    assertThat(r.functions()).containsExactly("predict_dict");
    assertThat(r.nested()).extracting(PythonModuleScanner.Definition::name).containsExactly("predict_df");
  }

  @Test
  void shouldSuggestTheNearMissOfAPredictFunction() {
    assertThat(ModelInspector.nearMiss(scan(ModelFiles.RI_MODEL_NESTED)).orElseThrow()).containsExactly("predict_dataframe", "predict_df");
    assertThat(ModelInspector.nearMiss(scan("def Predict_Dict(x):\n  pass\ndef load():\n  pass\n")).orElseThrow())
        .containsExactly("Predict_Dict", "predict_dict");
    assertThat(ModelInspector.nearMiss(scan("def load():\n  pass\n"))).isEmpty();
  }
}
