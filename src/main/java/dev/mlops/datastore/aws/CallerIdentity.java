package dev.mlops.datastore.aws;

/** Who AWS says the caller is. */
public record CallerIdentity(String arn, String account) {}
