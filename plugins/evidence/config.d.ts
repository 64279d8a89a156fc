export interface Config {
  evidence?: {
    /**
     * C2SP note verifier keys (`<name>+<keyid>+<base64>`) the evidence viewer
     * trusts for the log's signed checkpoints. When set, the browser accepts
     * only checkpoints signed by one of these keys; when unset it trusts the
     * key the backend publishes and warns if it ever changes.
     * @visibility frontend
     */
    verifierKeys?: string[];
  };
}
