/**
 * Incremental parsing of a Kubernetes LIST response body (`{"kind": "...List", "metadata": {...}, "items": [...]}`)
 * as its bytes arrive, item by item.
 *
 * Why: a LIST page of CAPA objects is megabytes of JSON. Read whole (`response.text()` then `JSON.parse`), each
 * page is one large string, which V8 allocates outside the young generation and frees only on a full
 * collection, plus every item's `managedFields`, parsed only to be dropped. Over a fleet of thousands of clusters
 * that garbage, not the kept objects, set the backend's peak memory (`./portal bench`). Here the body is
 * scanned chunk by chunk; each item of `items` is cut out on its own and handed to `JSON.parse` (small strings
 * that die young), and two values nothing in capa-portal reads are never parsed at all:
 * `metadata.managedFields` and the `kubectl.kubernetes.io/last-applied-configuration` annotation of each item.
 * Each is replaced by `null` (the reader then drops the key, see `slimListItem`).
 *
 * The scanner tracks only what it must: strings (with escapes), nesting, and where it is in the list. What it
 * does not parse is still checked: every item goes through `JSON.parse`, the list without its items (the
 * "skeleton": kind, metadata with the continue token, `"items": []`) too, and the structure around items
 * (commas, nesting, the end of the body) here. Skipped values are checked for balanced nesting and strings
 * only. Any error is a `SyntaxError`, as `JSON.parse` would throw, naming the byte offset.
 *
 * UTF-8 safety: every byte the scanner looks for is ASCII, and bytes of a multi-byte UTF-8 sequence are all
 * ≥ 0x80, so scanning bytes is exact; text is decoded only for whole items, never across a cut sequence.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** What a container is, as far as the scanner cares. */
const enum Role {
  /** Any container the scanner does not look into. */
  Other = 0,
  /** The top-level object. */
  List = 1,
  /** `items` of the top-level object. */
  Items = 2,
  /** An object that is an element of `items`. */
  Item = 3,
  /** `metadata` of an item. */
  Metadata = 4,
  /** `metadata.annotations` of an item. */
  Annotations = 5,
}

/** What starts at a byte where a value starts. */
const enum Value {
  Container,
  String,
  Scalar,
}

/** The annotation `kubectl apply` (client-side) writes: a full copy of the applied object, as a JSON string. */
export const LAST_APPLIED_ANNOTATION =
  'kubectl.kubernetes.io/last-applied-configuration';

const NULL_BYTES = Buffer.from('null');

/** A key's bytes (between its quotes) with escapes, decoded; a bad escape is left for JSON.parse to reject. */
function decodeKey(raw: Buffer): string {
  try {
    return JSON.parse(`"${raw.toString('utf8')}"`);
  } catch {
    return raw.toString('latin1');
  }
}

export interface ListBodyParserOptions {
  /** Called with each element of `items`, parsed, in order. */
  onItem: (item: unknown) => void;
  /**
   * Skip (replace with `null`) each item's `metadata.managedFields` and last-applied annotation without
   * parsing them. Default true.
   */
  skipBookkeeping?: boolean;
}

/**
 * Feed it the body's chunks with {@link ListBodyParser.write}, then call {@link ListBodyParser.end}: it returns
 * the body without the elements of `items` (`items` is `[]` there), parsed. A body that is not a JSON object
 * with an `items` array is returned whole (parsed) for the caller to reject; invalid JSON throws a SyntaxError.
 */
export class ListBodyParser {
  private readonly onItem: (item: unknown) => void;
  private readonly skipBookkeeping: boolean;

  /** Bytes consumed before the current chunk (for error offsets). */
  private offset = 0;
  /** Open containers: their role and whether they are objects. */
  private roles: Role[] = [];
  private objects: boolean[] = [];
  private depth = 0;
  /** After the top-level value closed: only whitespace may follow. */
  private done = false;

  // Strings
  private inString = false;
  /** Backslashes at the end of the previous chunk, inside the string (their parity escapes the next byte). */
  private trailingBackslashes = 0;
  /** The string being scanned is a key whose text matters (its container's role is not Other). */
  private capturingKey = false;
  private keyParts: Buffer[] = [];
  private keyStart = 0;

  // Object keys: in an object, whether the next string is a key, and the last key (only for containers whose
  // role is not Other).
  private expectKey = false;
  private lastKey = '';
  /** A `:` was seen in a container we watch, and its value has not started yet. */
  private valuePending = false;

  // The skeleton: the body outside the elements of `items`.
  private skeleton: Buffer[] = [];
  private inSkeleton = true;
  private skeletonStart = 0;

  // The current element of `items`.
  private inElement = false;
  private elementParts: Buffer[] = [];
  private elementStart = 0;
  /** Elements so far in the current `items`, and whether a comma is waiting for its element. */
  private elementCount = 0;
  private sawItems = false;
  private afterComma = false;

  // A value being skipped (managedFields, last-applied): the depth to return to, or -1; a string value ends
  // with its closing quote.
  private skipDepth = -1;
  private skipString = false;

  constructor(options: ListBodyParserOptions) {
    this.onItem = options.onItem;
    this.skipBookkeeping = options.skipBookkeeping ?? true;
  }

  write(chunk: Buffer): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.inString) {
        i = this.scanString(chunk, i);
        continue;
      }
      const c = chunk[i];
      switch (c) {
        case QUOTE:
          this.startValue(chunk, i, Value.String);
          this.inString = true;
          this.trailingBackslashes = 0;
          if (this.expectKey) {
            this.expectKey = false;
            this.capturingKey = true;
            this.keyParts.length = 0;
            this.keyStart = i + 1;
          }
          i++;
          continue;
        case LBRACE:
        case LBRACKET:
          this.startValue(chunk, i, Value.Container);
          this.open(chunk, i, c === LBRACE);
          break;
        case RBRACE:
        case RBRACKET:
          this.close(chunk, i, c === RBRACE);
          break;
        case COMMA:
          this.comma(chunk, i);
          break;
        case COLON:
          if (this.depth > 0) {
            const role = this.roles[this.depth - 1];
            // Between items a colon is garbage: it starts an "item" that JSON.parse rejects.
            if (role === Role.Items) this.startValue(chunk, i, Value.Scalar);
            else if (role !== Role.Other) this.valuePending = true;
          }
          break;
        case 0x20:
        case 0x0a:
        case 0x0d:
        case 0x09:
          break;
        default:
          // A scalar's byte (number, true, false, null) or garbage: JSON.parse of the element or the
          // skeleton judges it. Outside any container, nothing may follow the top-level value.
          if (this.done) this.fail('unexpected data after the end', i);
          this.startValue(chunk, i, Value.Scalar);
          break;
      }
      i++;
    }
    // Keep what this chunk holds of the open pieces.
    if (this.inSkeleton) {
      if (this.skeletonStart < n)
        this.skeleton.push(chunk.subarray(this.skeletonStart));
    }
    if (this.inElement && this.skipDepth < 0 && !this.skipString) {
      if (this.elementStart < n)
        this.elementParts.push(chunk.subarray(this.elementStart));
    }
    if (this.inString && this.capturingKey && this.keyStart < n)
      this.keyParts.push(chunk.subarray(this.keyStart));
    this.skeletonStart = 0;
    this.elementStart = 0;
    this.keyStart = 0;
    this.offset += n;
  }

  /** The body without its items, parsed. Throws a SyntaxError when the body ended early or is not JSON. */
  end(): unknown {
    if (this.inString || this.depth > 0)
      this.fail('unexpected end of the body', 0);
    const text = Buffer.concat(this.skeleton).toString('utf8');
    this.skeleton = [];
    return JSON.parse(text);
  }

  /** Inside a string from `i`: returns the index after its closing quote, or the chunk's length. */
  private scanString(chunk: Buffer, resume: number): number {
    // `from`: where this chunk's part of the string starts (or restarts, after an escaped quote).
    let from = resume;
    let i = resume;
    for (;;) {
      const q = chunk.indexOf(QUOTE, i);
      if (q < 0) {
        // The string goes on in the next chunk: count the backslashes it ends with.
        let k = chunk.length - 1;
        while (k >= i && chunk[k] === BACKSLASH) k--;
        const run = chunk.length - 1 - k;
        this.trailingBackslashes = k < i ? this.trailingBackslashes + run : run;
        return chunk.length;
      }
      let k = q - 1;
      while (k >= from && chunk[k] === BACKSLASH) k--;
      let run = q - 1 - k;
      if (k < from) run += this.trailingBackslashes;
      this.trailingBackslashes = 0;
      if (run % 2 === 1) {
        // An escaped quote: the string goes on.
        i = q + 1;
        from = q + 1;
        continue;
      }
      this.inString = false;
      if (this.capturingKey) {
        this.capturingKey = false;
        this.keyParts.push(chunk.subarray(this.keyStart, q));
        const raw =
          this.keyParts.length === 1
            ? this.keyParts[0]
            : Buffer.concat(this.keyParts);
        this.keyParts.length = 0;
        // A key written with escapes (`"it\u0065ms"`) is the same key: decode it as JSON does.
        this.lastKey = raw.includes(BACKSLASH)
          ? decodeKey(raw)
          : raw.toString('latin1');
      } else if (this.skipString) {
        this.endSkip(q + 1);
      }
      return q + 1;
    }
  }

  /**
   * A value starts at `i` (a string's quote, a container's bracket, a scalar's first byte). Starts an element
   * of `items`, or a skipped value, when that is where the scanner is.
   */
  private startValue(chunk: Buffer, i: number, value: Value) {
    const role = this.depth > 0 ? this.roles[this.depth - 1] : Role.Other;
    if (role === Role.Other) return;
    if (role === Role.Items) {
      if (!this.inElement) {
        this.inElement = true;
        this.afterComma = false;
        this.elementParts.length = 0;
        this.elementStart = i;
      }
      return;
    }
    if (!this.valuePending) return;
    this.valuePending = false;
    if (!this.skipBookkeeping || this.skipDepth >= 0 || this.skipString) return;
    // Only a container or a string is skipped: a scalar is a few bytes, left to JSON.parse.
    const skip =
      value !== Value.Scalar &&
      ((role === Role.Metadata && this.lastKey === 'managedFields') ||
        (role === Role.Annotations &&
          this.lastKey === LAST_APPLIED_ANNOTATION));
    if (!skip) return;
    // The element so far, then `null` in place of the value.
    if (i > this.elementStart)
      this.elementParts.push(chunk.subarray(this.elementStart, i));
    this.elementParts.push(NULL_BYTES);
    if (value === Value.Container) this.skipDepth = this.depth;
    else this.skipString = true;
  }

  private endSkip(next: number) {
    this.skipDepth = -1;
    this.skipString = false;
    this.elementStart = next;
  }

  private open(chunk: Buffer, i: number, isObject: boolean) {
    if (this.done) this.fail('unexpected data after the end', i);
    const parent = this.depth > 0 ? this.roles[this.depth - 1] : undefined;
    let role = Role.Other;
    if (parent === undefined) {
      if (isObject) role = Role.List;
    } else if (parent === Role.List) {
      if (!isObject && this.lastKey === 'items') role = Role.Items;
    } else if (parent === Role.Items) {
      if (isObject) role = Role.Item;
    } else if (parent === Role.Item) {
      if (isObject && this.lastKey === 'metadata') role = Role.Metadata;
    } else if (parent === Role.Metadata) {
      if (isObject && this.lastKey === 'annotations') role = Role.Annotations;
    }
    // Inside a skipped value nothing is watched.
    if (this.skipDepth >= 0) role = Role.Other;
    this.roles[this.depth] = role;
    this.objects[this.depth] = isObject;
    this.depth++;
    this.expectKey = isObject && role !== Role.Other;
    this.valuePending = false;
    if (role === Role.Items) {
      // JSON.parse keeps the last of two `items` keys; streaming the first would already have emitted it.
      if (this.sawItems) this.fail('a second "items" list (duplicate key)', i);
      this.sawItems = true;
      // The skeleton keeps `[`; the elements are not part of it.
      this.skeleton.push(chunk.subarray(this.skeletonStart, i + 1));
      this.inSkeleton = false;
      this.elementCount = 0;
      this.afterComma = false;
    }
  }

  private close(chunk: Buffer, i: number, isObject: boolean) {
    if (this.depth === 0) this.fail(`unexpected ${isObject ? '}' : ']'}`, i);
    const top = this.depth - 1;
    if (this.objects[top] !== isObject)
      this.fail(`mismatched ${isObject ? '}' : ']'}`, i);
    const role = this.roles[top];
    if (role === Role.Items) {
      if (this.inElement) this.endElement(chunk, i);
      else if (this.afterComma) this.fail('a comma before ]', i);
      this.inSkeleton = true;
      this.skeletonStart = i;
    }
    this.depth--;
    this.valuePending = false;
    if (this.depth === 0) this.done = true;
    // A container's end may end a skipped value.
    if (this.skipDepth === this.depth) this.endSkip(i + 1);
    // Back in an object we watch, the next string after a comma is a key: the comma sets it.
    this.expectKey = false;
  }

  private comma(chunk: Buffer, i: number) {
    if (this.depth === 0) this.fail('unexpected ,', i);
    const top = this.depth - 1;
    const role = this.roles[top];
    if (role === Role.Items) {
      if (!this.inElement) this.fail('an empty list item', i);
      this.endElement(chunk, i);
      this.afterComma = true;
      return;
    }
    this.expectKey = this.objects[top] && role !== Role.Other;
    this.valuePending = false;
  }

  private endElement(chunk: Buffer, end: number) {
    if (end > this.elementStart)
      this.elementParts.push(chunk.subarray(this.elementStart, end));
    const parts = this.elementParts;
    const text =
      parts.length === 1
        ? parts[0].toString('utf8')
        : Buffer.concat(parts).toString('utf8');
    parts.length = 0;
    this.inElement = false;
    this.elementCount++;
    let item: unknown;
    try {
      item = JSON.parse(text);
    } catch (e) {
      throw new SyntaxError(
        `item ${this.elementCount - 1} of the list is not valid JSON: ${
          (e as Error).message
        }`,
      );
    }
    this.onItem(item);
  }

  private fail(what: string, i: number): never {
    throw new SyntaxError(
      `invalid JSON in the list response: ${what} at byte ${this.offset + i}`,
    );
  }
}
