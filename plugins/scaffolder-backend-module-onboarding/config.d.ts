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
    };
  };
}
