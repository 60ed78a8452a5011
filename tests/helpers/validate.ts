import { validateRelease, type ValidationReport } from '../../src/publish/validate.ts';
import { openReleaseFileReader } from '../../src/store/release-files.ts';

/** `zhengce validate` of a release folder, in process: validateRelease with the store's file reader. */
export async function validate(dir: string): Promise<ValidationReport> {
  const reader = await openReleaseFileReader();
  try {
    return await validateRelease(dir, reader);
  } finally {
    reader.close();
  }
}
