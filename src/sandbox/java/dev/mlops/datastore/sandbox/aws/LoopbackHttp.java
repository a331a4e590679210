package dev.mlops.datastore.sandbox.aws;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The sandbox's HTTP servers (S3's front, IAM/STS, EKS, kubectl's front): the JDK's server on a free
 * loopback port, with TCP_NODELAY. Without it the JDK server's small writes wait on the client's
 * delayed ACK, about 40 ms per request: the sandbox, not the operator, then sets every latency a
 * benchmark measures.
 */
public final class LoopbackHttp {
  /** Read once, when the JDK's server classes load: set before the first server of this JVM. */
  static {
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private LoopbackHttp() {}

  public static HttpServer server() throws IOException {
    return HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
  }
}
