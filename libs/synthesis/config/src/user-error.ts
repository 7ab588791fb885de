// UserError lives in the shared layer (@platform/cli), which every layer may import;
// the config re-exports it so that `import { UserError } from '@platform/config'` keeps working.
export { UserError, isUserError } from '@platform/cli';
