// The wasi_snapshot_preview1 ABI as data: errno numbers and names, rights bits, flag sets, struct
// sizes, and the decoders that turn raw flag words into names for the audit trail. One table per
// concept so that the host, the decoder and the tests all agree.

/** Errno names in numeric order (index = errno), as the witx spells them, without the `E`. */
export const ERRNO_NAMES = [
  'SUCCESS', '2BIG', 'ACCES', 'ADDRINUSE', 'ADDRNOTAVAIL', 'AFNOSUPPORT', 'AGAIN', 'ALREADY', 'BADF',
  'BADMSG', 'BUSY', 'CANCELED', 'CHILD', 'CONNABORTED', 'CONNREFUSED', 'CONNRESET', 'DEADLK',
  'DESTADDRREQ', 'DOM', 'DQUOT', 'EXIST', 'FAULT', 'FBIG', 'HOSTUNREACH', 'IDRM', 'ILSEQ',
  'INPROGRESS', 'INTR', 'INVAL', 'IO', 'ISCONN', 'ISDIR', 'LOOP', 'MFILE', 'MLINK', 'MSGSIZE',
  'MULTIHOP', 'NAMETOOLONG', 'NETDOWN', 'NETRESET', 'NETUNREACH', 'NFILE', 'NOBUFS', 'NODEV', 'NOENT',
  'NOEXEC', 'NOLCK', 'NOLINK', 'NOMEM', 'NOMSG', 'NOPROTOOPT', 'NOSPC', 'NOSYS', 'NOTCONN', 'NOTDIR',
  'NOTEMPTY', 'NOTRECOVERABLE', 'NOTSOCK', 'NOTSUP', 'NOTTY', 'NXIO', 'OVERFLOW', 'OWNERDEAD', 'PERM',
  'PIPE', 'PROTO', 'PROTONOSUPPORT', 'PROTOTYPE', 'RANGE', 'ROFS', 'SPIPE', 'SRCH', 'STALE',
  'TIMEDOUT', 'TXTBSY', 'XDEV', 'NOTCAPABLE',
] as const;

export type ErrnoName = (typeof ERRNO_NAMES)[number];

/** errno number by name (`E.NOENT === 44`). */
export const E = Object.fromEntries(ERRNO_NAMES.map((n, i) => [n, i])) as { readonly [K in ErrnoName]: number };

/** `ENOENT`-style name of an errno number, as the audit trail shows it. */
const ERRNO_DISPLAY = ERRNO_NAMES.map((n) => `E${n}`);

export function errnoName(errno: number): string {
  return ERRNO_DISPLAY[errno] ?? `E?${errno}`;
}

/** Maps a host (Node) error code such as `ENOENT` to a WASI errno; unknown codes become EIO. */
export function errnoFromHostCode(code: string | undefined): number {
  if (!code) return E.IO;
  if (code.startsWith('E')) {
    const n = (E as Record<string, number | undefined>)[code.slice(1)];
    if (n !== undefined) return n;
    if (code === 'EWOULDBLOCK') return E.AGAIN;
    if (code === 'EOPNOTSUPP') return E.NOTSUP;
  }
  if (code.startsWith('ERR_OUT_OF_RANGE') || code.startsWith('ERR_INVALID_ARG')) return E.INVAL;
  return E.IO;
}

// Rights (bit index = position). They all fit in 30 bits, so the host keeps them as numbers.
export const RIGHT_NAMES = [
  'FD_DATASYNC', 'FD_READ', 'FD_SEEK', 'FD_FDSTAT_SET_FLAGS', 'FD_SYNC', 'FD_TELL', 'FD_WRITE',
  'FD_ADVISE', 'FD_ALLOCATE', 'PATH_CREATE_DIRECTORY', 'PATH_CREATE_FILE', 'PATH_LINK_SOURCE',
  'PATH_LINK_TARGET', 'PATH_OPEN', 'FD_READDIR', 'PATH_READLINK', 'PATH_RENAME_SOURCE',
  'PATH_RENAME_TARGET', 'PATH_FILESTAT_GET', 'PATH_FILESTAT_SET_SIZE', 'PATH_FILESTAT_SET_TIMES',
  'FD_FILESTAT_GET', 'FD_FILESTAT_SET_SIZE', 'FD_FILESTAT_SET_TIMES', 'PATH_SYMLINK',
  'PATH_REMOVE_DIRECTORY', 'PATH_UNLINK_FILE', 'POLL_FD_READWRITE', 'SOCK_SHUTDOWN', 'SOCK_ACCEPT',
] as const;

export type RightName = (typeof RIGHT_NAMES)[number];
export const R = Object.fromEntries(RIGHT_NAMES.map((n, i) => [n, 2 ** i])) as { readonly [K in RightName]: number };
export const ALL_RIGHTS = 2 ** RIGHT_NAMES.length - 1;

/** Rights that make sense on a regular file (the base rights of an opened file are masked by these). */
export const FILE_RIGHTS =
  R.FD_DATASYNC | R.FD_READ | R.FD_SEEK | R.FD_FDSTAT_SET_FLAGS | R.FD_SYNC | R.FD_TELL | R.FD_WRITE |
  R.FD_ADVISE | R.FD_ALLOCATE | R.FD_FILESTAT_GET | R.FD_FILESTAT_SET_SIZE | R.FD_FILESTAT_SET_TIMES |
  R.POLL_FD_READWRITE;

/** Rights that make sense on a directory (no read/write/seek: those are file rights). */
export const DIR_RIGHTS =
  R.FD_FDSTAT_SET_FLAGS | R.FD_SYNC | R.FD_ADVISE | R.PATH_CREATE_DIRECTORY | R.PATH_CREATE_FILE |
  R.PATH_LINK_SOURCE | R.PATH_LINK_TARGET | R.PATH_OPEN | R.FD_READDIR | R.PATH_READLINK |
  R.PATH_RENAME_SOURCE | R.PATH_RENAME_TARGET | R.PATH_FILESTAT_GET | R.PATH_FILESTAT_SET_SIZE |
  R.PATH_FILESTAT_SET_TIMES | R.FD_FILESTAT_GET | R.FD_FILESTAT_SET_TIMES | R.PATH_SYMLINK |
  R.PATH_REMOVE_DIRECTORY | R.PATH_UNLINK_FILE;

/** Everything a directory may hand down to what is opened beneath it. */
export const DIR_INHERITING_RIGHTS = DIR_RIGHTS | FILE_RIGHTS;

/** Rights a read-only preopen withholds: anything that creates, changes or removes. */
export const WRITE_RIGHTS =
  R.FD_WRITE | R.FD_ALLOCATE | R.FD_FILESTAT_SET_SIZE | R.FD_FILESTAT_SET_TIMES | R.FD_DATASYNC |
  R.PATH_CREATE_DIRECTORY | R.PATH_CREATE_FILE | R.PATH_LINK_SOURCE | R.PATH_LINK_TARGET |
  R.PATH_RENAME_SOURCE | R.PATH_RENAME_TARGET | R.PATH_FILESTAT_SET_SIZE | R.PATH_FILESTAT_SET_TIMES |
  R.PATH_SYMLINK | R.PATH_REMOVE_DIRECTORY | R.PATH_UNLINK_FILE;

export const STDIN_RIGHTS = R.FD_READ | R.FD_FDSTAT_SET_FLAGS | R.FD_FILESTAT_GET | R.POLL_FD_READWRITE;
export const STDOUT_RIGHTS = R.FD_WRITE | R.FD_FDSTAT_SET_FLAGS | R.FD_FILESTAT_GET | R.POLL_FD_READWRITE;

export const FILETYPE = {
  UNKNOWN: 0,
  BLOCK_DEVICE: 1,
  CHARACTER_DEVICE: 2,
  DIRECTORY: 3,
  REGULAR_FILE: 4,
  SOCKET_DGRAM: 5,
  SOCKET_STREAM: 6,
  SYMBOLIC_LINK: 7,
} as const;
export const FILETYPE_NAMES = ['UNKNOWN', 'BLOCK_DEVICE', 'CHARACTER_DEVICE', 'DIRECTORY', 'REGULAR_FILE', 'SOCKET_DGRAM', 'SOCKET_STREAM', 'SYMBOLIC_LINK'];

export const OFLAGS = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;
export const FDFLAGS = { APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 } as const;
export const LOOKUP_SYMLINK_FOLLOW = 1;
export const FSTFLAGS = { ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 } as const;
export const WHENCE_NAMES = ['SET', 'CUR', 'END'];
export const ADVICE_NAMES = ['NORMAL', 'SEQUENTIAL', 'RANDOM', 'WILLNEED', 'DONTNEED', 'NOREUSE'];
export const CLOCK_NAMES = ['REALTIME', 'MONOTONIC', 'PROCESS_CPUTIME_ID', 'THREAD_CPUTIME_ID'];
export const EVENTTYPE = { CLOCK: 0, FD_READ: 1, FD_WRITE: 2 } as const;
export const EVENTTYPE_NAMES = ['CLOCK', 'FD_READ', 'FD_WRITE'];
export const SUBCLOCK_ABSTIME = 1;
export const EVENTRW_HANGUP = 1;
export const SIGNAL_NAMES = [
  'NONE', 'HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'BUS', 'FPE', 'KILL', 'USR1', 'SEGV', 'USR2',
  'PIPE', 'ALRM', 'TERM', 'CHLD', 'CONT', 'STOP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'XCPU', 'XFSZ',
  'VTALRM', 'PROF', 'WINCH', 'POLL', 'PWR', 'SYS',
];
export const RIFLAGS_NAMES = ['RECV_PEEK', 'RECV_WAITALL'];
export const SDFLAGS_NAMES = ['RD', 'WR'];

/** Struct sizes and field offsets (wasm32). */
export const SIZE = {
  IOVEC: 8,
  FDSTAT: 24,
  FILESTAT: 64,
  PRESTAT: 8,
  DIRENT: 24,
  SUBSCRIPTION: 48,
  EVENT: 32,
} as const;

function flagNames(value: number, names: readonly string[]): string {
  if (value === 0) return '0';
  const out: string[] = [];
  let rest = value >>> 0;
  for (let i = 0; i < names.length && rest; i++) {
    const bit = i < 30 ? 1 << i : 2 ** i;
    if (rest & bit) {
      out.push(names[i]);
      rest -= bit;
    }
  }
  if (rest) out.push(`0x${rest.toString(16)}`);
  return out.join('|');
}

/** A flag decoder that remembers each value's text (a run passes a handful of distinct values). */
function flagDecoder(names: readonly string[]): (v: number) => string {
  const memo = new Map<number, string>();
  return (v: number): string => {
    let text = memo.get(v);
    if (text === undefined) {
      text = flagNames(v, names);
      if (memo.size >= 256) memo.clear();
      memo.set(v, text);
    }
    return text;
  };
}

const OFLAG_BITS = ['CREAT', 'DIRECTORY', 'EXCL', 'TRUNC'];
const FDFLAG_BITS = ['APPEND', 'DSYNC', 'NONBLOCK', 'RSYNC', 'SYNC'];
const FST_BITS = ['ATIM', 'ATIM_NOW', 'MTIM', 'MTIM_NOW'];

export const decodeOflags = flagDecoder(OFLAG_BITS);
export const decodeFdflags = flagDecoder(FDFLAG_BITS);
export const decodeFstflags = flagDecoder(FST_BITS);
const lookupflags = flagDecoder(['SYMLINK_FOLLOW']);
export const decodeLookupflags = (v: number): string => (v === 0 ? '0' : lookupflags(v));
export const decodeRiflags = flagDecoder(RIFLAGS_NAMES);
export const decodeSdflags = flagDecoder(SDFLAGS_NAMES);
export const decodeFiletype = (v: number): string => FILETYPE_NAMES[v] ?? `FILETYPE_${v}`;
export const decodeClock = (v: number): string => CLOCK_NAMES[v] ?? `CLOCK_${v}`;

// A run uses a handful of rights sets (one per kind of fd), decoded at every fdstat/open: once each
// (path_open passes them as i64, hence the bigint-keyed table).
const RIGHTS_TEXT = new Map<number, string>();
const RIGHTS_TEXT_BIG = new Map<bigint, string>();

/** Rights by name; the full set prints as `ALL` so the trail stays readable. */
export function decodeRights(v: number | bigint): string {
  if (typeof v === 'number') {
    let text = RIGHTS_TEXT.get(v);
    if (text === undefined) {
      text = decodeRightsUncached(v);
      if (RIGHTS_TEXT.size >= 256) RIGHTS_TEXT.clear();
      RIGHTS_TEXT.set(v, text);
    }
    return text;
  }
  let text = RIGHTS_TEXT_BIG.get(v);
  if (text === undefined) {
    text = decodeRightsUncached(v);
    if (RIGHTS_TEXT_BIG.size >= 256) RIGHTS_TEXT_BIG.clear();
    RIGHTS_TEXT_BIG.set(v, text);
  }
  return text;
}

function decodeRightsUncached(v: number | bigint): string {
  const n = typeof v === 'bigint' ? Number(BigInt.asUintN(64, v) & BigInt(ALL_RIGHTS)) : v;
  const extra = typeof v === 'bigint' && BigInt.asUintN(64, v) >> BigInt(RIGHT_NAMES.length) !== 0n;
  if (n === ALL_RIGHTS && !extra) return 'ALL';
  const s = flagNames(n, RIGHT_NAMES);
  return extra ? `${s}|0x${(BigInt.asUintN(64, v as bigint) >> BigInt(RIGHT_NAMES.length)).toString(16)}<<${RIGHT_NAMES.length}` : s;
}

/** Every function of wasi_snapshot_preview1, in witx order. */
export const WASI_FUNCTIONS = [
  'args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get', 'clock_res_get', 'clock_time_get',
  'fd_advise', 'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_get', 'fd_fdstat_set_flags',
  'fd_fdstat_set_rights', 'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times', 'fd_pread',
  'fd_prestat_get', 'fd_prestat_dir_name', 'fd_pwrite', 'fd_read', 'fd_readdir', 'fd_renumber', 'fd_seek',
  'fd_sync', 'fd_tell', 'fd_write', 'path_create_directory', 'path_filestat_get', 'path_filestat_set_times',
  'path_link', 'path_open', 'path_readlink', 'path_remove_directory', 'path_rename', 'path_symlink',
  'path_unlink_file', 'poll_oneoff', 'proc_exit', 'proc_raise', 'sched_yield', 'random_get', 'sock_accept',
  'sock_recv', 'sock_send', 'sock_shutdown',
] as const;

export type WasiFunctionName = (typeof WASI_FUNCTIONS)[number];

export const WASI_MODULE = 'wasi_snapshot_preview1';
