package io.campaignmock;

/** {@code GET /_mock/metrics}: the Prometheus text, and the value of one series. */
public final class Metrics {
    private final String text;

    Metrics(String text) {
        this.text = text;
    }

    /** The whole text (format 0.0.4). */
    public String text() {
        return text;
    }

    /**
     * The value of one series, written as in the text:
     * {@code value("campaign_mock_requests_total{endpoint=\"ingest.trigger\",status=\"200\"}")};
     * null when the text has no such line.
     */
    public Double value(String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return text;
    }
}
