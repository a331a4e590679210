package dev.mlops.datastore.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Small real model files, written the way the tools that make them write them: a pickle by
 * python3 when it is installed (else the same protocol-4 bytes by hand), a zip by the JDK, an HDF5
 * superblock, an ONNX ModelProto encoded field by field, PMML XML, and Robust Intelligence model
 * files.
 */
public final class ModelFiles {
  public static final String RI_MODEL = """
      \"\"\"Fraud model for Robust Intelligence.

      def predict_dict(x): this line is inside the docstring and defines nothing.
      \"\"\"
      import pickle
      from pathlib import Path

      _MODEL = pickle.loads((Path(__file__).parent / "fraud_model.pkl").read_bytes())


      def predict_df(df):
          return _MODEL.predict_proba(df)[:, 1]
      """;

  /** A model whose predict function is a method, with a near miss at module level. */
  public static final String RI_MODEL_NESTED = """
      import pandas as pd

      class FraudModel:
          def predict_df(self, df):  # a method: not what RI calls
              return df

      def predict_dataframe(df: pd.DataFrame):
          return FraudModel().predict_df(df)
      """;

  private ModelFiles() {}

  private static byte[] pickle;

  /** A pickle of {'weights': [0.5, 1.5], 'bias': 0.1}, by python3 when present (run once). */
  public static synchronized byte[] pickle() {
    if (pickle == null) {
      pickle = writePickle();
    }
    return pickle.clone();
  }

  private static byte[] writePickle() {
    try {
      Process p = new ProcessBuilder("python3", "-c",
          "import pickle,sys; sys.stdout.buffer.write(pickle.dumps({'weights': [0.5, 1.5], 'bias': 0.1}, protocol=4))")
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      byte[] bytes = p.getInputStream().readAllBytes();
      if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0 && bytes.length > 2) {
        return bytes;
      }
    } catch (IOException e) {
      // no python3: the same kind of bytes by hand below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // PROTO 4, EMPTY_DICT, SHORT_BINUNICODE 'bias', BINFLOAT 0.1, SETITEM, STOP
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {(byte) 0x80, 4, '}', (byte) 0x8c, 4, 'b', 'i', 'a', 's', 'G'});
    long bits = Double.doubleToLongBits(0.1);
    for (int i = 7; i >= 0; i--) {
      b.write((int) (bits >>> (8 * i)));
    }
    b.writeBytes(new byte[] {'s', '.'});
    return b.toByteArray();
  }

  public static byte[] zip(String entry, byte[] content) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry(entry));
      zip.write(content);
      zip.closeEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** An HDF5 signature and version-0 superblock start, then zeros, as h5py writes a Keras .h5. */
  public static byte[] hdf5() {
    byte[] b = new byte[800];
    byte[] head = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0, 0, 8, 8, 0, 4, 0, 16, 0};
    System.arraycopy(head, 0, b, 0, head.length);
    return b;
  }

  /** An ONNX ModelProto: ir_version 8, producer "pytorch" 2.1, a one-node graph, opset 17. */
  public static byte[] onnx() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {0x08, 0x08});
    field(b, 2, "pytorch".getBytes(StandardCharsets.US_ASCII));
    field(b, 3, "2.1.0".getBytes(StandardCharsets.US_ASCII));
    ByteArrayOutputStream node = new ByteArrayOutputStream();
    field(node, 1, "x".getBytes(StandardCharsets.US_ASCII));
    field(node, 2, "y".getBytes(StandardCharsets.US_ASCII));
    field(node, 4, "Relu".getBytes(StandardCharsets.US_ASCII));
    ByteArrayOutputStream graph = new ByteArrayOutputStream();
    field(graph, 1, node.toByteArray());
    field(graph, 2, "main_graph".getBytes(StandardCharsets.US_ASCII));
    field(b, 7, graph.toByteArray());
    ByteArrayOutputStream opset = new ByteArrayOutputStream();
    opset.writeBytes(new byte[] {0x10, 17});
    field(b, 8, opset.toByteArray());
    return b.toByteArray();
  }

  private static void field(ByteArrayOutputStream out, int number, byte[] value) {
    out.write(number << 3 | 2);
    int length = value.length;
    while (length >= 0x80) {
      out.write(length & 0x7f | 0x80);
      length >>>= 7;
    }
    out.write(length);
    out.writeBytes(value);
  }

  public static byte[] pmml() {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- exported by sklearn2pmml -->
        <PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
          <Header description="churn"/>
          <DataDictionary numberOfFields="1"><DataField name="y" optype="categorical" dataType="string"/></DataDictionary>
        </PMML>
        """.getBytes(StandardCharsets.UTF_8);
  }
}
