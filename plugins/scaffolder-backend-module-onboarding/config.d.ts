export interface Config {
  assay?: {
    onboarding?: {
      /**
       * Directory where `assay:publish:local` creates one bare git repository
       * per service (`<name>.git`) and a checkout of it (`<name>/`), which is
       * what the catalog reads through `file://` URLs. Relative paths resolve
       * against the backend's working directory. Defaults to `data/repos`.
       */
      localPublishDir?: string;
      /**
       * Ed25519 private key (PKCS#8 PEM) that signs each onboarding
       * manifest as a DSSE envelope (`reports/<featureId>/<runId>/signatures/`).
       * Unset: a key generated per process (development); its public key is
       * written next to the signature and its id into the onboarding evidence.
       * @visibility secret
       */
      signingKey?: string;
    };
  };
}
