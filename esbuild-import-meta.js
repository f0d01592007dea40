// Injected into the cjs bundles so that bundled ES modules' `import.meta.url` keeps working.
export const importMetaUrl = require('url').pathToFileURL(__filename).href;
