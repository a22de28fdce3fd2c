package com.acme;

public final class Defaults {
    private static final String DEFAULT_PASSWORD = "admin123";
}
