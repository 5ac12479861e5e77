// A tar writer for image layers and the OCI archive: ustar entries in the order given, with the
// owner, mode and time of each entry as given (numeric owners, no user or group names), so that
// the same entries always give the same bytes.
import { closeSync, openSync, readSync, statSync, writeSync } from "node:fs";

export type TarEntry =
  | { type: "dir"; path: string; mode: number; uid: number; gid: number }
  | { type: "symlink"; path: string; target: string; uid: number; gid: number }
  | ({ type: "file"; path: string; mode: number; uid: number; gid: number } & (
      | { content: Buffer }
      | { source: string }
    ));

const BLOCK = 512;

function octal(value: number, width: number): string {
  const digits = value.toString(8);
  if (digits.length > width - 1) throw new Error(`tar: ${value} does not fit in ${width - 1} octal digits`);
  return `${digits.padStart(width - 1, "0")}\0`;
}

/** Splits a path into ustar's prefix (155 bytes) and name (100 bytes) at a slash. */
function splitName(path: string): { prefix: string; name: string } {
  if (Buffer.byteLength(path) <= 100) return { prefix: "", name: path };
  for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== "") return { prefix, name };
  }
  throw new Error(`tar: the path ${path} is too long for a ustar header`);
}

export function tarHeader(entry: TarEntry, size: number, mtime: number): Buffer {
  const header = Buffer.alloc(BLOCK);
  const path = entry.type === "dir" && !entry.path.endsWith("/") ? `${entry.path}/` : entry.path;
  const { prefix, name } = splitName(path);
  const mode = entry.type === "symlink" ? 0o777 : entry.mode;
  header.write(name, 0, 100, "utf8");
  header.write(octal(mode & 0o7777, 8), 100, "ascii");
  header.write(octal(entry.uid, 8), 108, "ascii");
  header.write(octal(entry.gid, 8), 116, "ascii");
  header.write(octal(size, 12), 124, "ascii");
  header.write(octal(mtime, 12), 136, "ascii");
  header.write(" ".repeat(8), 148, "ascii");
  header.write({ file: "0", dir: "5", symlink: "2" }[entry.type], 156, "ascii");
  if (entry.type === "symlink") {
    if (Buffer.byteLength(entry.target) > 100) throw new Error(`tar: the link target ${entry.target} is too long`);
    header.write(entry.target, 157, 100, "utf8");
  }
  header.write("ustar\x0000", 257, "ascii");
  header.write(prefix, 345, 155, "utf8");
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return header;
}

/**
 * Writes `entries`, in their order, to the file `out`, every entry with the time `mtime` (seconds
 * since 1970). Returns the number of bytes written.
 */
export function writeTar(out: string, entries: readonly TarEntry[], mtime: number): number {
  const fd = openSync(out, "w");
  let written = 0;
  const write = (buf: Buffer) => {
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off);
    written += buf.length;
  };
  const padding = (size: number) => {
    const rest = size % BLOCK;
    if (rest) write(Buffer.alloc(BLOCK - rest));
  };
  try {
    for (const entry of entries) {
      if (entry.type !== "file") {
        write(tarHeader(entry, 0, mtime));
        continue;
      }
      if ("content" in entry) {
        write(tarHeader(entry, entry.content.length, mtime));
        write(entry.content);
        padding(entry.content.length);
        continue;
      }
      const size = statSync(entry.source).size;
      write(tarHeader(entry, size, mtime));
      const src = openSync(entry.source, "r");
      try {
        const chunk = Buffer.alloc(1 << 20);
        let copied = 0;
        for (;;) {
          const n = readSync(src, chunk, 0, chunk.length, null);
          if (n === 0) break;
          write(chunk.subarray(0, n));
          copied += n;
        }
        if (copied !== size) throw new Error(`tar: ${entry.source} changed while it was written`);
      } finally {
        closeSync(src);
      }
      padding(size);
    }
    write(Buffer.alloc(2 * BLOCK));
  } finally {
    closeSync(fd);
  }
  return written;
}
