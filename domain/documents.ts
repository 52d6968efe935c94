export const DOCUMENT_KINDS = ['statement'] as const;

export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
