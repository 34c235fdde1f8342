/** One page of a list read from the database: what the repositories return and the API sends. */
export interface PageQuery {
  limit: number;
  offset: number;
}

export interface Page<T> extends PageQuery {
  items: T[];
  total: number;
}
