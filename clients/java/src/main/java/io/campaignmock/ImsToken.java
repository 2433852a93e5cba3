package io.campaignmock;

import java.util.Map;

/**
 * An access token from the emulated IMS ({@code POST /ims/token/v3}):
 * {@code {"access_token": "...", "token_type": "bearer", "expires_in": 86399}}.
 */
public record ImsToken(String accessToken, String tokenType, long expiresIn, String body) {
    static ImsToken of(Response r) {
        Map<String, Object> o = r.jsonObject();
        return new ImsToken(Json.getString(o, "access_token"), Json.getString(o, "token_type"),
                Json.getLong(o, "expires_in"), r.body());
    }

    @Override
    public String toString() {
        // A token is a secret in a real client: keep it out of test logs.
        return "ImsToken[" + tokenType + ", expires_in " + expiresIn + "]";
    }
}
