/** A value of an item's free-form `attributes` map. */
export type AttributeValue = string | number | boolean;

/** The fields a client writes: the body of `POST /items` and `PUT /items/{id}`. */
export interface ItemFields {
  /** 1-200 characters. */
  readonly name: string;
  /** At most 4,000 characters. */
  readonly description?: string;
  /** At most 20 tags of 1-50 characters each. */
  readonly tags?: readonly string[];
  /** At most 50 keys of 1-100 characters. */
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}

/**
 * A partial update in JSON Merge Patch (RFC 7396) form, the body of
 * `PATCH /items/{id}`: a field that is absent stays as it is, `null` removes an
 * optional field, `tags` is replaced as a whole and `attributes` is merged key by
 * key (a `null` value removes that key).
 */
export interface ItemPatch {
  readonly name?: string;
  readonly description?: string | null;
  readonly tags?: readonly string[] | null;
  readonly attributes?: Readonly<Record<string, AttributeValue | null>> | null;
}

/** An item as stored and returned: the client's fields plus what the server maintains. */
export interface Item extends ItemFields {
  /** Server-assigned, URL-safe and unguessable (128 random bits, base64url). */
  readonly id: string;
  /** 1 on create, incremented by every write; the HTTP ETag. */
  readonly version: number;
  /** ISO 8601 UTC timestamp of the create. */
  readonly createdAt: string;
  /** ISO 8601 UTC timestamp of the last write. */
  readonly updatedAt: string;
  /**
   * The region that made the last write. Global tables resolve concurrent writes in
   * two regions by last writer wins; this tells an operator which region won.
   */
  readonly updatedRegion: string;
  /** The authenticated caller (`sub` of the token) who created the item, when known. */
  readonly createdBy?: string;
  /** The authenticated caller who made the last write, when known. */
  readonly updatedBy?: string;
}
