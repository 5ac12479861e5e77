// What a dynamically linked ELF file needs at run time: its interpreter (PT_INTERP, the dynamic
// loader) and the shared libraries it names (DT_NEEDED), read from the file itself, so that the
// image gets its libraries from the Debian packages without asking the build machine's loader.
const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0n;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;

export interface ElfDependencies {
  /** The dynamic loader's path, e.g. /lib64/ld-linux-x86-64.so.2; absent for a shared library. */
  interpreter?: string;
  /** The sonames of the libraries it needs, in the file's order. */
  needed: string[];
}

const cString = (buf: Buffer, offset: number) => {
  const end = buf.indexOf(0, offset);
  return buf.toString("latin1", offset, end === -1 ? buf.length : end);
};

/** Reads a 64-bit little-endian ELF file (x86-64, arm64); throws on anything else. */
export function elfDependencies(buf: Buffer): ElfDependencies {
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46) throw new Error("not an ELF file");
  if (buf[4] !== 2 || buf[5] !== 1) throw new Error("not a 64-bit little-endian ELF file");
  const phoff = Number(buf.readBigUInt64LE(0x20));
  const phentsize = buf.readUInt16LE(0x36);
  const phnum = buf.readUInt16LE(0x38);
  const loads: { vaddr: number; offset: number; size: number }[] = [];
  let dynamic: { offset: number; size: number } | undefined;
  let interpreter: string | undefined;
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    const type = buf.readUInt32LE(p);
    const offset = Number(buf.readBigUInt64LE(p + 8));
    const vaddr = Number(buf.readBigUInt64LE(p + 16));
    const size = Number(buf.readBigUInt64LE(p + 32));
    if (type === PT_LOAD) loads.push({ vaddr, offset, size });
    else if (type === PT_DYNAMIC) dynamic = { offset, size };
    else if (type === PT_INTERP) interpreter = cString(buf, offset);
  }
  if (!dynamic) return { ...(interpreter && { interpreter }), needed: [] };
  const fileOffset = (vaddr: number) => {
    const load = loads.find((l) => vaddr >= l.vaddr && vaddr < l.vaddr + l.size);
    if (!load) throw new Error(`ELF address 0x${vaddr.toString(16)} is in no loaded segment`);
    return vaddr - load.vaddr + load.offset;
  };
  const neededOffsets: number[] = [];
  let strtab: number | undefined;
  for (let p = dynamic.offset; p + 16 <= dynamic.offset + dynamic.size; p += 16) {
    const tag = buf.readBigInt64LE(p);
    const value = buf.readBigUInt64LE(p + 8);
    if (tag === DT_NULL) break;
    if (tag === DT_NEEDED) neededOffsets.push(Number(value));
    else if (tag === DT_STRTAB) strtab = fileOffset(Number(value));
  }
  if (neededOffsets.length > 0 && strtab === undefined) throw new Error("ELF file with DT_NEEDED but no DT_STRTAB");
  const needed = neededOffsets.map((o) => cString(buf, (strtab as number) + o));
  return { ...(interpreter && { interpreter }), needed };
}
