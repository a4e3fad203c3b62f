// Writing `ipaq search` results, format chosen by the output file's extension:
//   .ivecs  nq rows of k int32 ids (TEXMEX; missing results are -1)
//   .fvecs  nq rows of k float32 distances / scores
//   .csv    header "query,rank,id,distance", one line per result
//   .json   {"k": K, "results": [{"ids": [...], "distances": [...]}, ...]}
// Shapes: labels, distances: nq x k, row-major. Errors: unknown extension → InvalidArgument; cannot
// write → IoError naming the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ipaq::cli {

// Throws InvalidArgument unless `path` has one of the extensions above (checked before searching).
void check_search_output_path(const std::string& path);

void write_search_results(const std::string& path, size_t nq, size_t k, const std::vector<float>& distances,
                          const std::vector<int64_t>& labels);

}  // namespace ipaq::cli
