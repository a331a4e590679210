package dev.mlops.datastore.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Magic bytes of real model files, and what each DataRobot extension may hold. */
class ModelFormatTest {
  private static ModelFormat sniff(byte[] b) {
    return ModelFormat.sniff(b, b.length);
  }

  @Test
  void shouldRecogniseEachRealModelFormatByItsFirstBytes() {
    assertThat(sniff(ModelFiles.pickle())).isEqualTo(ModelFormat.PICKLE);
    assertThat(sniff(ModelFiles.zip("model.pkl", ModelFiles.pickle()))).isEqualTo(ModelFormat.ZIP);
    assertThat(sniff(ModelFiles.hdf5())).isEqualTo(ModelFormat.HDF5);
    assertThat(sniff(ModelFiles.onnx())).isEqualTo(ModelFormat.ONNX);
    assertThat(sniff(ModelFiles.pmml())).isEqualTo(ModelFormat.PMML);
    assertThat(sniff("def predict_df(df):\n  return df\n".getBytes(StandardCharsets.UTF_8))).isEqualTo(ModelFormat.TEXT);
    assertThat(sniff("<?xml version='1.0'?><html/>".getBytes(StandardCharsets.UTF_8))).isEqualTo(ModelFormat.XML);
    assertThat(sniff(new byte[0])).isEqualTo(ModelFormat.EMPTY);
  }

  @Test
  void shouldFindAnHdf5SignatureAfterAUserBlock() {
    byte[] b = new byte[1024];
    System.arraycopy(ModelFiles.hdf5(), 0, b, 512, 20);
    assertThat(sniff(b)).isEqualTo(ModelFormat.HDF5);
  }

  @Test
  void shouldNotTakeProtobufLookalikesForOnnx() {
    // A field length that claims more bytes than the object has.
    byte[] tooLong = {0x08, 0x08, 0x12, 0x7f, 'p', 'y'};
    assertThat(sniff(tooLong)).isNotEqualTo(ModelFormat.ONNX);
    // A field number ModelProto does not have.
    byte[] otherMessage = {0x08, 0x08, 0x4a, 0x01, 'x'};
    assertThat(sniff(otherMessage)).isNotEqualTo(ModelFormat.ONNX);
    // ONNX cut short is still recognised by its header.
    byte[] onnx = ModelFiles.onnx();
    assertThat(ModelFormat.sniff(java.util.Arrays.copyOf(onnx, 12), onnx.length)).isEqualTo(ModelFormat.ONNX);
  }

  @Test
  void shouldExpectWhatDataRobotLoadsForEachExtension() {
    assertThat(ModelFormat.artifactExtension("model.PKL")).contains(".pkl");
    assertThat(ModelFormat.artifactExtension("custom.py")).isEmpty();
    assertThat(ModelFormat.expectedFor(".pth")).contains(ModelFormat.ZIP, ModelFormat.PICKLE);
    assertThat(ModelFormat.expectedFor(".mojo")).containsExactly(ModelFormat.ZIP);
    assertThat(ModelFormat.expectedFor(".h5")).doesNotContain(ModelFormat.PICKLE);
  }
}
