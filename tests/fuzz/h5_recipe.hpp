#pragma once
// HDF5 files from text, for the fuzz targets of the ACT.h5 and CLUSTERS.h5 readers: the fuzzer
// mutates a recipe (readable, so the seeds are too), and the file it describes is written with
// the HDF5 library, so what is fuzzed is ConceptLens's reading and checking of the layout, not
// HDF5's own parsing of damaged bytes. One statement per line ('#' starts a comment):
//   group PATH
//   dataset PATH TYPE DIMS [VALUES...]
//   attr OBJECT NAME TYPE DIMS [VALUES...]        (OBJECT is made a group when missing)
// TYPE: u8 i8 i16 i32 i64 u32 u64 f16 f32 f64, big-endian >i32 >i64 >f32 >f64, str (variable-
// length UTF-8) or fstr (fixed-length, as wide as the longest value).
// DIMS: "scalar", "*" (1-D, one element per value), or extents joined by 'x' ("3x4", "0", "7").
// VALUES: numbers ("-3", "0.25", "nan", "inf") or strings (a word, or "quoted" with \n \t \\ \"
// and \xHH escapes); a quoted string given to u8 is its bytes. Fewer values than elements are
// repeated; none gives 0, 1, 2, ... A dataset of more than 65,536 elements gets chunked storage
// that is never written (its elements read as 0): huge extents cost nothing to describe.
// Statements HDF5 refuses (a path through a dataset, a name used twice, ...) are skipped.
#include <filesystem>
#include <string_view>

namespace conceptlens::fuzz {

/// Writes the file that `recipe` describes at `path`, replacing any file there.
void write_h5_recipe(std::string_view recipe, const std::filesystem::path& path);

}  // namespace conceptlens::fuzz
