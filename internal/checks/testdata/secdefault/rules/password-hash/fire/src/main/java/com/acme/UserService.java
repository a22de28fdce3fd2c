package com.acme;

import java.security.MessageDigest;

class UserService {
    byte[] hash(String password) throws Exception {
        MessageDigest md = MessageDigest.getInstance("MD5");
        return md.digest(password.getBytes());
    }
}
