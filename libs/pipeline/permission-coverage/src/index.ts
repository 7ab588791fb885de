export * from './catalogue';
export * from './facts';
export * from './managed-policies';
export * from './provider-corrections';
export * from './terraform-model';
export * from './roles';
export * from './coverage';
export * from './input';
