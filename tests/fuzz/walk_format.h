/*
 * walk_format.h - how fuzz_walk reads its input as a folder tree, and how
 * mkfuzzseeds writes its seeds. The input is a list of entries:
 *
 *   [kind: 1 byte][name length: 1 byte][name][content length: 3 bytes LE][content]
 *
 * kind & 3: WALK_FILE (content is the file), WALK_DIR, WALK_LINK (content
 * is the link's target), WALK_INPUT (a file, also named as an input of its
 * own). Names are '/'-separated paths below the tree's root; "." and ".."
 * components, NUL bytes and leading '/' are neutralised, and link targets
 * are made relative, so nothing lands or points outside the tree.
 */
#ifndef REMTRAIL_WALK_FORMAT_H
#define REMTRAIL_WALK_FORMAT_H

enum { WALK_FILE = 0, WALK_DIR = 1, WALK_LINK = 2, WALK_INPUT = 3 };

#define WALK_MAX_ENTRIES 64
#define WALK_MAX_CONTENT (1u << 20)

#endif
