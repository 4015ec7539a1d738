import { open } from 'node:fs/promises';
import { createInflateRaw } from 'node:zlib';
import { ApiError } from '../common/errors/api-error.js';
import { IMPORT_LIMITS } from './import-limits.js';
import { hasControlCharacter } from './file-names.js';

/**
 * Checks an XLSX (a ZIP of XML parts) before any XML parser sees it:
 * - entry names that could escape a folder (../, absolute, drive letters, backslashes);
 * - zip bombs: too many entries, too much data once inflated, absurd
 *   compression ratios, and headers that lie about sizes (every entry is
 *   really inflated, counting bytes, and stopped at its declared size);
 * - XML with a DTD (<!DOCTYPE / <!ENTITY): external entities and entity
 *   expansion are refused outright; Office never writes a DTD.
 */
export type ZipEntry = {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
};

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function refuse(
  code: string,
  message: string,
  status: 'BAD_REQUEST' | 'PAYLOAD_TOO_LARGE' = 'BAD_REQUEST',
): never {
  throw new ApiError(status, message, [{ path: 'file', code, message }]);
}

export function unsafeEntryName(name: string): boolean {
  return (
    name === '' ||
    name.startsWith('/') ||
    name.includes('\\') ||
    /^[a-z]:/i.test(name) ||
    hasControlCharacter(name) ||
    name.split('/').some((segment) => segment === '..')
  );
}

/** Reads the central directory of the ZIP at `path`. */
export async function readZipEntries(path: string): Promise<ZipEntry[]> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const tailLength = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    let at = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        at = i;
        break;
      }
    }
    if (at < 0) refuse('NOT_XLSX', 'The file is not a valid .xlsx workbook (no ZIP directory)');
    const count = tail.readUInt16LE(at + 10);
    const directorySize = tail.readUInt32LE(at + 12);
    const directoryOffset = tail.readUInt32LE(at + 16);
    if (count === 0xffff || directoryOffset === 0xffffffff)
      refuse('ZIP64_UNSUPPORTED', 'Workbooks larger than 4 GB (ZIP64) are not supported');
    if (count > IMPORT_LIMITS.maxZipEntries)
      refuse(
        'ZIP_BOMB',
        `The workbook has ${count} parts; at most ${IMPORT_LIMITS.maxZipEntries} are allowed`,
        'PAYLOAD_TOO_LARGE',
      );
    if (directoryOffset + directorySize > size)
      refuse('NOT_XLSX', 'The workbook is truncated or damaged');
    const directory = Buffer.alloc(directorySize);
    await handle.read(directory, 0, directorySize, directoryOffset);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > directory.length || directory.readUInt32LE(p) !== CENTRAL)
        refuse('NOT_XLSX', 'The workbook is damaged (bad ZIP directory)');
      const nameLength = directory.readUInt16LE(p + 28);
      const extraLength = directory.readUInt16LE(p + 30);
      const commentLength = directory.readUInt16LE(p + 32);
      entries.push({
        flags: directory.readUInt16LE(p + 8),
        method: directory.readUInt16LE(p + 10),
        compressedSize: directory.readUInt32LE(p + 20),
        size: directory.readUInt32LE(p + 24),
        localHeaderOffset: directory.readUInt32LE(p + 42),
        name: directory.toString('utf8', p + 46, p + 46 + nameLength),
      });
      p += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  } finally {
    await handle.close();
  }
}

/** Every check above; throws a located ApiError on the first kind of problem found. */
export async function checkXlsx(path: string): Promise<void> {
  const entries = await readZipEntries(path);
  const unsafe = entries.find((e) => unsafeEntryName(e.name));
  if (unsafe !== undefined)
    refuse(
      'UNSAFE_ZIP_ENTRY',
      `The workbook contains a part named ${JSON.stringify(unsafe.name)} that points outside the workbook`,
    );
  if (!entries.some((e) => e.name === '[Content_Types].xml'))
    refuse('NOT_XLSX', 'The file is a ZIP archive but not an Excel workbook');
  let total = 0;
  for (const entry of entries) {
    if ((entry.flags & 1) !== 0)
      refuse(
        'ENCRYPTED',
        'Password-protected workbooks cannot be imported; remove the password and upload again',
      );
    if (entry.method !== 0 && entry.method !== 8)
      refuse('NOT_XLSX', `Part ${entry.name} uses an unsupported compression method`);
    total += entry.size;
    if (total > IMPORT_LIMITS.maxUnzippedBytes)
      refuse(
        'ZIP_BOMB',
        'The workbook expands to more than 2 GB; it is refused as a zip bomb',
        'PAYLOAD_TOO_LARGE',
      );
    if (
      entry.size > 1_000_000 &&
      entry.size > entry.compressedSize * IMPORT_LIMITS.maxCompressionRatio
    )
      refuse(
        'ZIP_BOMB',
        `Part ${entry.name} is compressed ${Math.round(entry.size / Math.max(1, entry.compressedSize))}:1; it is refused as a zip bomb`,
        'PAYLOAD_TOO_LARGE',
      );
  }
  const handle = await open(path, 'r');
  try {
    for (const entry of entries) await inspectEntry(handle, entry);
  } finally {
    await handle.close();
  }
}

type Handle = Awaited<ReturnType<typeof open>>;

/** Inflates one entry, counting bytes (never past its declared size) and looking for a DTD in XML parts. */
async function inspectEntry(handle: Handle, entry: ZipEntry): Promise<void> {
  const header = Buffer.alloc(30);
  await handle.read(header, 0, 30, entry.localHeaderOffset);
  if (header.readUInt32LE(0) !== LOCAL)
    refuse('NOT_XLSX', 'The workbook is damaged (bad part header)');
  const dataStart =
    entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const isXml = /\.(?:xml|rels|vml)$/i.test(entry.name);
  let seen = 0;
  let head = '';
  const inspect = (chunk: Buffer): void => {
    seen += chunk.length;
    if (seen > entry.size)
      refuse(
        'ZIP_BOMB',
        `Part ${entry.name} expands beyond its declared size; it is refused as a zip bomb`,
        'PAYLOAD_TOO_LARGE',
      );
    if (isXml && head.length < 65_536) {
      head += chunk.toString('latin1', 0, Math.min(chunk.length, 65_536 - head.length));
      if (/<!(?:DOCTYPE|ENTITY)/i.test(head))
        refuse(
          'XML_ENTITIES',
          `Part ${entry.name} declares a DTD or entities (<!DOCTYPE>); such workbooks are refused to prevent XML external entity attacks`,
        );
    }
  };
  if (entry.compressedSize === 0) return;
  const stream = handle.createReadStream({
    start: dataStart,
    end: dataStart + entry.compressedSize - 1,
    autoClose: false,
  });
  if (entry.method === 0) {
    for await (const chunk of stream) inspect(chunk as Buffer);
    return;
  }
  const inflate = createInflateRaw();
  stream.pipe(inflate);
  try {
    for await (const chunk of inflate) inspect(chunk as Buffer);
  } catch (error) {
    stream.destroy();
    inflate.destroy();
    if (error instanceof ApiError) throw error;
    refuse('NOT_XLSX', `Part ${entry.name} of the workbook is damaged`);
  }
}
