/**
 * The journal's folder: numbered segment files, and deleting whole segments, oldest first, past the disk
 * limit or the retention age.
 *
 *   000000000001.hsj  000000000002.hsj  …  000000000042.hsj   ← the segment being written is the highest
 */
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

export const SEGMENT_SUFFIX = '.hsj';
const SEGMENT_NAME = /^(\d{12})\.hsj$/;

export interface SegmentFile {
  path: string;
  seq: number;
  bytes: number;
  /** When it was last written. */
  modifiedMs: number;
}

export const segmentName = (seq: number): string => `${String(seq).padStart(12, '0')}${SEGMENT_SUFFIX}`;

/** The segments in `dir`, oldest first; other files are left alone. */
export function listSegments(dir: string): SegmentFile[] {
  const found: SegmentFile[] = [];
  for (const name of readdirSync(dir)) {
    const seq = SEGMENT_NAME.exec(name)?.[1];
    if (seq === undefined) continue;
    const path = join(dir, name);
    try {
      const stat = statSync(path);
      if (stat.isFile()) found.push({ path, seq: Number(seq), bytes: stat.size, modifiedMs: stat.mtimeMs });
    } catch {
      // Deleted meanwhile (another window's retention): not a segment any more.
    }
  }
  return found.sort((a, b) => a.seq - b.seq);
}

export interface Retention {
  diskLimitBytes: number;
  retentionMs: number;
}

/**
 * Deletes whole segments, oldest first, while the folder is over its limit or a segment's newest record is
 * older than the retention; never `keep` (the one being written). Returns what it deleted.
 */
export function applyRetention(dir: string, retention: Retention, nowMs: number, keep?: string): SegmentFile[] {
  const segments = listSegments(dir);
  let total = segments.reduce((sum, s) => sum + s.bytes, 0);
  const deleted: SegmentFile[] = [];
  for (const segment of segments) {
    if (segment.path === keep) break;
    const tooOld = nowMs - segment.modifiedMs > retention.retentionMs;
    if (!tooOld && total <= retention.diskLimitBytes) break;
    try {
      unlinkSync(segment.path);
      deleted.push(segment);
      total -= segment.bytes;
    } catch {
      // Gone already, or not ours to delete: the next pass tries again.
    }
  }
  return deleted;
}
