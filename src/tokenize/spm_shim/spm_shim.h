/* The C interface of the SentencePiece shim (libconceptlens_spm_shim.so): the one place that
 * links libsentencepiece. Debian's libsentencepiece carries protobuf symbols that clash with
 * LibTorch's in one executable, so the shim is loaded at run time with dlopen(RTLD_LOCAL |
 * RTLD_DEEPBIND) by sentencepiece_library.cpp and used only through these functions. No C++
 * exception crosses this interface; text is UTF-8 with explicit lengths. */
#ifndef CONCEPTLENS_SPM_SHIM_H
#define CONCEPTLENS_SPM_SHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The shim is built with hidden visibility: only these functions are exported. */
#define CONCEPTLENS_SPM_EXPORT __attribute__((visibility("default")))

/* Bumped when a signature changes; the loader refuses another version. */
#define CONCEPTLENS_SPM_SHIM_VERSION 1

typedef struct conceptlens_spm conceptlens_spm;

/* Receives one piece of an encoding, in order. */
typedef void (*conceptlens_spm_piece_fn)(void* user, const char* piece, size_t length);

CONCEPTLENS_SPM_EXPORT int conceptlens_spm_version(void);

/* Loads the model file at `path`; on failure returns NULL and writes a NUL-terminated
 * message (truncated to `error_size`) to `error`. */
CONCEPTLENS_SPM_EXPORT conceptlens_spm* conceptlens_spm_load(const char* path, char* error, size_t error_size);
CONCEPTLENS_SPM_EXPORT void conceptlens_spm_free(conceptlens_spm* model);

/* SentencePieceProcessor::Encode(text, &pieces) (Python's encode(text, out_type=str)): calls
 * `fn` once per piece; returns 0, or -1 with a message in `error`. */
CONCEPTLENS_SPM_EXPORT int conceptlens_spm_encode(const conceptlens_spm* model, const char* text, size_t length,
                           conceptlens_spm_piece_fn fn, void* user, char* error, size_t error_size);

CONCEPTLENS_SPM_EXPORT int conceptlens_spm_piece_size(const conceptlens_spm* model);
/* PieceToId: the unknown piece's id for a piece not in the vocabulary. */
CONCEPTLENS_SPM_EXPORT int conceptlens_spm_piece_to_id(const conceptlens_spm* model, const char* piece, size_t length);
/* IdToPiece for 0 <= id < piece_size (the model keeps the bytes): sets *length. */
CONCEPTLENS_SPM_EXPORT const char* conceptlens_spm_id_to_piece(const conceptlens_spm* model, int id, size_t* length);
CONCEPTLENS_SPM_EXPORT int conceptlens_spm_is_control(const conceptlens_spm* model, int id);
CONCEPTLENS_SPM_EXPORT int conceptlens_spm_is_unknown(const conceptlens_spm* model, int id);

#ifdef __cplusplus
}
#endif

#endif /* CONCEPTLENS_SPM_SHIM_H */
