// The part of the Frictionless `datapackage` library (untyped) the tests use.
declare module 'datapackage' {
  export class Resource {
    descriptor: Record<string, unknown>;
    read(options?: { cast?: boolean; keyed?: boolean }): Promise<unknown[][]>;
  }
  export class Package {
    static load(descriptor: string, options?: { basePath?: string; strict?: boolean }): Promise<Package>;
    valid: boolean;
    errors: Error[];
    resources: Resource[];
  }
}
