/*
 * ort_harness: times onnxruntime through its C API, in process, on one model and one set of input tensors.
 *
 * The onnxruntime wheel ships libonnxruntime.so.<version> (in site-packages/onnxruntime/capi/), which exports
 * OrtGetApiBase. No header comes with it, so this file declares the few OrtApi slots it uses by their index in
 * the OrtApi function-pointer table. That table only ever grows at its end (a slot is never moved or removed),
 * so the indices below hold for every onnxruntime release since API version 1; they were counted against the
 * public onnxruntime_c_api.h. The harness checks a few of them at start-up (a status round trip and the
 * version string) and `--dump` lets bench_ort.py compare its outputs with the Python API's.
 *
 * Usage: ort_harness LIBONNXRUNTIME MODEL.onnx INPUTS.bin RUNS [--read] [--dump OUT.bin]
 *   INPUTS.bin (written by bench_ort.py), little-endian:
 *     "ORTH" u32 count, then per tensor: u32 name_len, name, i32 ONNX element type (TensorProto.DataType),
 *     u32 rank, i64 dims[rank], u64 byte_len, raw bytes (row-major).
 *   RUNS: 0 runs the model once (with --dump: writes the outputs) and prints no timing. Otherwise: min(RUNS, 20)
 *     warm-up calls, then 3 rounds of RUNS timed calls; prints the median of a round, best of the 3 (as
 *     bench_ort.py times the Python API). A timed call is Run (outputs allocated by onnxruntime) plus the
 *     release of its outputs; with --read it also reads every output as a C client would (the data pointer of a
 *     tensor; for a sequence of maps, as ZipMap gives, each map's keys and values via GetValue).
 *   --dump: writes the outputs in the INPUTS.bin format; a sequence of maps becomes two tensors "<name>#keys" and
 *     "<name>#values" (the maps' entries, one map after another); a string tensor is stored as u32 length + bytes
 *     per element.
 * Prints one JSON line: {"onnxruntime": version, "seconds": s or null, "outputs": [ONNX value kinds]}.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct OrtStatus OrtStatus;
typedef struct OrtEnv OrtEnv;
typedef struct OrtSession OrtSession;
typedef struct OrtSessionOptions OrtSessionOptions;
typedef struct OrtValue OrtValue;
typedef struct OrtMemoryInfo OrtMemoryInfo;
typedef struct OrtTensorTypeAndShapeInfo OrtTensorTypeAndShapeInfo;
typedef struct OrtAllocator OrtAllocator;
typedef struct OrtRunOptions OrtRunOptions;

/* OrtApiBase: two function pointers. */
typedef struct {
    const void *const *(*GetApi)(uint32_t version);
    const char *(*GetVersionString)(void);
} ApiBase;

/* OrtApi slot indices (0-based position in struct OrtApi). */
enum {
    SLOT_CreateStatus = 0,
    SLOT_GetErrorCode = 1,
    SLOT_GetErrorMessage = 2,
    SLOT_CreateEnv = 3,
    SLOT_CreateSession = 7,
    SLOT_Run = 9,
    SLOT_CreateSessionOptions = 10,
    SLOT_SetSessionExecutionMode = 13,
    SLOT_SetSessionLogSeverityLevel = 22,
    SLOT_SetSessionGraphOptimizationLevel = 23,
    SLOT_SetIntraOpNumThreads = 24,
    SLOT_SetInterOpNumThreads = 25,
    SLOT_SessionGetInputCount = 30,
    SLOT_SessionGetOutputCount = 31,
    SLOT_SessionGetInputName = 36,
    SLOT_SessionGetOutputName = 37,
    SLOT_CreateTensorWithDataAsOrtValue = 49,
    SLOT_GetTensorMutableData = 51,
    SLOT_GetStringTensorDataLength = 53,
    SLOT_GetStringTensorContent = 54,
    SLOT_GetTensorElementType = 60,
    SLOT_GetDimensionsCount = 61,
    SLOT_GetDimensions = 62,
    SLOT_GetTensorShapeElementCount = 64,
    SLOT_GetTensorTypeAndShape = 65,
    SLOT_GetValueType = 67,
    SLOT_CreateCpuMemoryInfo = 69,
    SLOT_AllocatorFree = 76,
    SLOT_GetAllocatorWithDefaultOptions = 78,
    SLOT_GetValue = 80,
    SLOT_GetValueCount = 81,
    SLOT_ReleaseEnv = 92,
    SLOT_ReleaseStatus = 93,
    SLOT_ReleaseMemoryInfo = 94,
    SLOT_ReleaseSession = 95,
    SLOT_ReleaseValue = 96,
    SLOT_ReleaseTensorTypeAndShapeInfo = 99,
    SLOT_ReleaseSessionOptions = 100,
};

/* Enum values from the C API. */
enum { LOG_ERROR = 3, ORT_SEQUENTIAL = 0, ORT_ENABLE_ALL = 99, ARENA_ALLOCATOR = 1, MEM_TYPE_DEFAULT = 0 };
enum { TYPE_TENSOR = 1, TYPE_SEQUENCE = 2, TYPE_MAP = 3 };
enum { ELEM_STRING = 8 };

static const void *const *api;

#define FN(slot, ret, ...) ((ret(*)(__VA_ARGS__))api[slot])

static void check(OrtStatus *status, const char *what) {
    if (status == NULL) return;
    const char *message = FN(SLOT_GetErrorMessage, const char *, const OrtStatus *)(status);
    fprintf(stderr, "ort_harness: %s failed: %s\n", what, message);
    exit(1);
}

static void die(const char *message) {
    fprintf(stderr, "ort_harness: %s\n", message);
    exit(1);
}

static size_t element_size(int32_t type) {
    switch (type) {
    case 1: return 4;  /* FLOAT */
    case 2: return 1;  /* UINT8 */
    case 3: return 1;  /* INT8 */
    case 4: return 2;  /* UINT16 */
    case 5: return 2;  /* INT16 */
    case 6: return 4;  /* INT32 */
    case 7: return 8;  /* INT64 */
    case 9: return 1;  /* BOOL */
    case 10: return 2; /* FLOAT16 */
    case 11: return 8; /* DOUBLE */
    case 12: return 4; /* UINT32 */
    case 13: return 8; /* UINT64 */
    default: return 0;
    }
}

typedef struct {
    char *name;
    int32_t type;
    uint32_t rank;
    int64_t *dims;
    uint64_t bytes;
    void *data;
} Input;

static void read_exact(FILE *f, void *p, size_t n) {
    if (n && fread(p, 1, n, f) != n) die("truncated inputs file");
}

static Input *read_inputs(const char *path, uint32_t *count) {
    FILE *f = fopen(path, "rb");
    if (!f) die("cannot open inputs file");
    char magic[4];
    read_exact(f, magic, 4);
    if (memcmp(magic, "ORTH", 4) != 0) die("inputs file has no ORTH header");
    read_exact(f, count, 4);
    Input *inputs = calloc(*count, sizeof(Input));
    for (uint32_t i = 0; i < *count; i++) {
        uint32_t len;
        read_exact(f, &len, 4);
        inputs[i].name = calloc(len + 1, 1);
        read_exact(f, inputs[i].name, len);
        read_exact(f, &inputs[i].type, 4);
        read_exact(f, &inputs[i].rank, 4);
        inputs[i].dims = calloc(inputs[i].rank + 1, sizeof(int64_t));
        read_exact(f, inputs[i].dims, 8 * (size_t)inputs[i].rank);
        read_exact(f, &inputs[i].bytes, 8);
        /* 64-byte aligned, as onnxruntime's own allocations are. */
        size_t rounded = ((size_t)inputs[i].bytes + 63) / 64 * 64;
        inputs[i].data = aligned_alloc(64, rounded ? rounded : 64);
        read_exact(f, inputs[i].data, inputs[i].bytes);
        if (element_size(inputs[i].type) == 0) die("unsupported input element type (strings are not handled)");
    }
    fclose(f);
    return inputs;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int compare_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : (x > y ? 1 : 0);
}

/* A tensor's element type and element count. */
static void type_and_count(OrtValue *value, int *type, size_t *count) {
    OrtTensorTypeAndShapeInfo *info;
    check(FN(SLOT_GetTensorTypeAndShape, OrtStatus *, const OrtValue *, OrtTensorTypeAndShapeInfo **)(value, &info),
          "GetTensorTypeAndShape");
    check(FN(SLOT_GetTensorElementType, OrtStatus *, const OrtTensorTypeAndShapeInfo *, int *)(info, type),
          "GetTensorElementType");
    check(FN(SLOT_GetTensorShapeElementCount, OrtStatus *, const OrtTensorTypeAndShapeInfo *, size_t *)(info, count),
          "GetTensorShapeElementCount");
    FN(SLOT_ReleaseTensorTypeAndShapeInfo, void, OrtTensorTypeAndShapeInfo *)(info);
}

/* Reads a tensor as a client would: its element type, element count and data pointer. */
static void touch_tensor(OrtValue *value, volatile uintptr_t *sink) {
    int type;
    size_t count;
    type_and_count(value, &type, &count);
    if (type == ELEM_STRING) {
        size_t len;
        check(FN(SLOT_GetStringTensorDataLength, OrtStatus *, const OrtValue *, size_t *)(value, &len),
              "GetStringTensorDataLength");
        *sink += len + count;
        return;
    }
    void *data;
    check(FN(SLOT_GetTensorMutableData, OrtStatus *, OrtValue *, void **)(value, &data), "GetTensorMutableData");
    *sink += (uintptr_t)data + count;
}

static void read_output(OrtValue *value, OrtAllocator *allocator, volatile uintptr_t *sink) {
    int kind;
    check(FN(SLOT_GetValueType, OrtStatus *, const OrtValue *, int *)(value, &kind), "GetValueType");
    if (kind == TYPE_TENSOR) {
        touch_tensor(value, sink);
    } else if (kind == TYPE_SEQUENCE || kind == TYPE_MAP) {
        size_t n;
        check(FN(SLOT_GetValueCount, OrtStatus *, const OrtValue *, size_t *)(value, &n), "GetValueCount");
        for (size_t i = 0; i < n; i++) {
            OrtValue *element;
            check(FN(SLOT_GetValue, OrtStatus *, const OrtValue *, int, OrtAllocator *, OrtValue **)(
                      value, (int)i, allocator, &element),
                  "GetValue");
            read_output(element, allocator, sink);
            FN(SLOT_ReleaseValue, void, OrtValue *)(element);
        }
    }
}

/* ---- --dump: outputs written in the inputs-file format ---- */

typedef struct {
    char *name;
    int32_t type;
    uint64_t count;
    unsigned char *bytes;
    size_t len, cap;
} DumpTensor;

typedef struct {
    DumpTensor *items;
    size_t n;
} Dump;

static DumpTensor *dump_tensor(Dump *d, const char *name, int32_t type) {
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->items[i].name, name) == 0) return &d->items[i];
    d->items = realloc(d->items, (d->n + 1) * sizeof(DumpTensor));
    DumpTensor *t = &d->items[d->n++];
    memset(t, 0, sizeof *t);
    t->name = strdup(name);
    t->type = type;
    return t;
}

static void append(DumpTensor *t, const void *p, size_t n) {
    if (t->len + n > t->cap) {
        t->cap = (t->len + n) * 2 + 64;
        t->bytes = realloc(t->bytes, t->cap);
    }
    memcpy(t->bytes + t->len, p, n);
    t->len += n;
}

static void dump_append_tensor(Dump *d, const char *name, OrtValue *value) {
    int type;
    size_t count;
    type_and_count(value, &type, &count);
    DumpTensor *t = dump_tensor(d, name, type);
    t->count += count;
    if (type == ELEM_STRING) {
        size_t len;
        check(FN(SLOT_GetStringTensorDataLength, OrtStatus *, const OrtValue *, size_t *)(value, &len),
              "GetStringTensorDataLength");
        char *chars = malloc(len + 1);
        size_t *offsets = malloc((count + 1) * sizeof(size_t));
        check(FN(SLOT_GetStringTensorContent, OrtStatus *, const OrtValue *, void *, size_t, size_t *, size_t)(
                  value, chars, len, offsets, count),
              "GetStringTensorContent");
        for (size_t i = 0; i < count; i++) {
            size_t end = i + 1 < count ? offsets[i + 1] : len;
            uint32_t n = (uint32_t)(end - offsets[i]);
            append(t, &n, 4);
            append(t, chars + offsets[i], n);
        }
        free(chars);
        free(offsets);
        return;
    }
    size_t size = element_size(type);
    if (size == 0) die("--dump: unsupported output element type");
    void *data;
    check(FN(SLOT_GetTensorMutableData, OrtStatus *, OrtValue *, void **)(value, &data), "GetTensorMutableData");
    append(t, data, size * count);
}

static void dump_output(Dump *d, const char *name, OrtValue *value, OrtAllocator *allocator) {
    int kind;
    check(FN(SLOT_GetValueType, OrtStatus *, const OrtValue *, int *)(value, &kind), "GetValueType");
    if (kind == TYPE_TENSOR) {
        dump_append_tensor(d, name, value);
        return;
    }
    size_t n;
    check(FN(SLOT_GetValueCount, OrtStatus *, const OrtValue *, size_t *)(value, &n), "GetValueCount");
    for (size_t i = 0; i < n; i++) {
        OrtValue *element;
        check(FN(SLOT_GetValue, OrtStatus *, const OrtValue *, int, OrtAllocator *, OrtValue **)(value, (int)i,
                                                                                                allocator, &element),
              "GetValue");
        if (kind == TYPE_MAP) {
            char sub[1024];
            snprintf(sub, sizeof sub, "%s#%s", name, i == 0 ? "keys" : "values");
            dump_append_tensor(d, sub, element);
        } else {
            dump_output(d, name, element, allocator);
        }
        FN(SLOT_ReleaseValue, void, OrtValue *)(element);
    }
}

static void write_dump(const char *path, Dump *d) {
    FILE *f = fopen(path, "wb");
    if (!f) die("cannot write --dump file");
    uint32_t n = (uint32_t)d->n;
    fwrite("ORTH", 1, 4, f);
    fwrite(&n, 4, 1, f);
    for (size_t i = 0; i < d->n; i++) {
        DumpTensor *t = &d->items[i];
        uint32_t len = (uint32_t)strlen(t->name), rank = 1;
        int64_t dim = (int64_t)t->count;
        uint64_t bytes = t->len;
        fwrite(&len, 4, 1, f);
        fwrite(t->name, 1, len, f);
        fwrite(&t->type, 4, 1, f);
        fwrite(&rank, 4, 1, f);
        fwrite(&dim, 8, 1, f);
        fwrite(&bytes, 8, 1, f);
        fwrite(t->bytes, 1, t->len, f);
    }
    fclose(f);
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s LIBONNXRUNTIME MODEL.onnx INPUTS.bin RUNS [--read] [--dump OUT.bin]\n", argv[0]);
        return 2;
    }
    const char *library = argv[1], *model = argv[2], *inputs_path = argv[3];
    long runs = strtol(argv[4], NULL, 10);
    int read_outputs = 0;
    const char *dump_path = NULL;
    for (int i = 5; i < argc; i++) {
        if (strcmp(argv[i], "--read") == 0) read_outputs = 1;
        else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc) dump_path = argv[++i];
        else die("unknown option");
    }

    void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        fprintf(stderr, "ort_harness: dlopen: %s\n", dlerror());
        return 1;
    }
    const ApiBase *(*get_api_base)(void) = (const ApiBase *(*)(void))dlsym(handle, "OrtGetApiBase");
    if (!get_api_base) die("the library does not export OrtGetApiBase");
    const ApiBase *base = get_api_base();
    const char *version = base->GetVersionString();
    /* Every slot used here exists since API version 1; asking for 1 works with any later library. */
    api = base->GetApi(1);
    if (!api) die("GetApi(1) returned NULL");

    /* Self-check of the table layout: a status round trip through slots 0, 1, 2 and 93. */
    OrtStatus *probe = FN(SLOT_CreateStatus, OrtStatus *, int, const char *)(2, "slot-probe");
    if (FN(SLOT_GetErrorCode, int, const OrtStatus *)(probe) != 2 ||
        strcmp(FN(SLOT_GetErrorMessage, const char *, const OrtStatus *)(probe), "slot-probe") != 0)
        die("OrtApi slot self-check failed (the table layout is not the expected one)");
    FN(SLOT_ReleaseStatus, void, OrtStatus *)(probe);

    OrtEnv *env;
    check(FN(SLOT_CreateEnv, OrtStatus *, int, const char *, OrtEnv **)(LOG_ERROR, "ort_harness", &env), "CreateEnv");
    OrtSessionOptions *options;
    check(FN(SLOT_CreateSessionOptions, OrtStatus *, OrtSessionOptions **)(&options), "CreateSessionOptions");
    check(FN(SLOT_SetIntraOpNumThreads, OrtStatus *, OrtSessionOptions *, int)(options, 1), "SetIntraOpNumThreads");
    check(FN(SLOT_SetInterOpNumThreads, OrtStatus *, OrtSessionOptions *, int)(options, 1), "SetInterOpNumThreads");
    check(FN(SLOT_SetSessionExecutionMode, OrtStatus *, OrtSessionOptions *, int)(options, ORT_SEQUENTIAL),
          "SetSessionExecutionMode");
    check(FN(SLOT_SetSessionGraphOptimizationLevel, OrtStatus *, OrtSessionOptions *, int)(options, ORT_ENABLE_ALL),
          "SetSessionGraphOptimizationLevel");
    check(FN(SLOT_SetSessionLogSeverityLevel, OrtStatus *, OrtSessionOptions *, int)(options, LOG_ERROR),
          "SetSessionLogSeverityLevel");
    OrtSession *session;
    check(FN(SLOT_CreateSession, OrtStatus *, OrtEnv *, const char *, OrtSessionOptions *, OrtSession **)(
              env, model, options, &session),
          "CreateSession");

    OrtAllocator *allocator;
    check(FN(SLOT_GetAllocatorWithDefaultOptions, OrtStatus *, OrtAllocator **)(&allocator),
          "GetAllocatorWithDefaultOptions");
    size_t n_outputs, n_model_inputs;
    check(FN(SLOT_SessionGetOutputCount, OrtStatus *, const OrtSession *, size_t *)(session, &n_outputs),
          "SessionGetOutputCount");
    check(FN(SLOT_SessionGetInputCount, OrtStatus *, const OrtSession *, size_t *)(session, &n_model_inputs),
          "SessionGetInputCount");
    char **output_names = calloc(n_outputs, sizeof(char *));
    for (size_t i = 0; i < n_outputs; i++)
        check(FN(SLOT_SessionGetOutputName, OrtStatus *, const OrtSession *, size_t, OrtAllocator *, char **)(
                  session, i, allocator, &output_names[i]),
              "SessionGetOutputName");

    uint32_t n_inputs;
    Input *inputs = read_inputs(inputs_path, &n_inputs);
    if (n_inputs != n_model_inputs) die("the inputs file does not hold one tensor per model input");
    OrtMemoryInfo *memory;
    check(FN(SLOT_CreateCpuMemoryInfo, OrtStatus *, int, int, OrtMemoryInfo **)(ARENA_ALLOCATOR, MEM_TYPE_DEFAULT,
                                                                                &memory),
          "CreateCpuMemoryInfo");
    OrtValue **values = calloc(n_inputs + 1, sizeof(OrtValue *));
    const char **input_names = calloc(n_inputs + 1, sizeof(char *));
    for (uint32_t i = 0; i < n_inputs; i++) {
        input_names[i] = inputs[i].name;
        check(FN(SLOT_CreateTensorWithDataAsOrtValue, OrtStatus *, const OrtMemoryInfo *, void *, size_t,
                 const int64_t *, size_t, int, OrtValue **)(memory, inputs[i].data, (size_t)inputs[i].bytes,
                                                            inputs[i].dims, inputs[i].rank, inputs[i].type,
                                                            &values[i]),
              "CreateTensorWithDataAsOrtValue");
    }

    typedef OrtStatus *(*RunFn)(OrtSession *, const OrtRunOptions *, const char *const *, const OrtValue *const *,
                                size_t, const char *const *, size_t, OrtValue **);
    typedef void (*ReleaseValueFn)(OrtValue *);
    RunFn run = (RunFn)api[SLOT_Run];
    ReleaseValueFn release_value = (ReleaseValueFn)api[SLOT_ReleaseValue];
    OrtValue **outputs = calloc(n_outputs, sizeof(OrtValue *));
    volatile uintptr_t sink = 0;

    /* One checked run: it must succeed; its output kinds are reported (and dumped with --dump). */
    check(run(session, NULL, input_names, (const OrtValue *const *)values, n_inputs,
              (const char *const *)output_names, n_outputs, outputs),
          "Run");
    int *kinds = calloc(n_outputs, sizeof(int));
    Dump dump = {0};
    for (size_t i = 0; i < n_outputs; i++) {
        check(FN(SLOT_GetValueType, OrtStatus *, const OrtValue *, int *)(outputs[i], &kinds[i]), "GetValueType");
        if (dump_path) dump_output(&dump, output_names[i], outputs[i], allocator);
        release_value(outputs[i]);
        outputs[i] = NULL;
    }
    if (dump_path) write_dump(dump_path, &dump);

    double best = -1;
    if (runs > 0) {
        long warmup = runs < 20 ? runs : 20;
        for (long i = 0; i < warmup; i++) {
            check(run(session, NULL, input_names, (const OrtValue *const *)values, n_inputs,
                      (const char *const *)output_names, n_outputs, outputs),
                  "Run");
            for (size_t o = 0; o < n_outputs; o++) {
                if (read_outputs) read_output(outputs[o], allocator, &sink);
                release_value(outputs[o]);
                outputs[o] = NULL;
            }
        }
        double *samples = malloc((size_t)runs * sizeof(double));
        for (int round = 0; round < 3; round++) {
            for (long i = 0; i < runs; i++) {
                double start = now();
                OrtStatus *status = run(session, NULL, input_names, (const OrtValue *const *)values, n_inputs,
                                        (const char *const *)output_names, n_outputs, outputs);
                if (status) check(status, "Run");
                for (size_t o = 0; o < n_outputs; o++) {
                    if (read_outputs) read_output(outputs[o], allocator, &sink);
                    release_value(outputs[o]);
                    outputs[o] = NULL;
                }
                samples[i] = now() - start;
            }
            qsort(samples, (size_t)runs, sizeof(double), compare_double);
            /* statistics.median: the middle one, or the mean of the two middle ones. */
            double median = runs % 2 ? samples[runs / 2] : (samples[runs / 2 - 1] + samples[runs / 2]) / 2;
            if (best < 0 || median < best) best = median;
        }
        free(samples);
    }

    printf("{\"onnxruntime\": \"%s\", \"seconds\": ", version);
    if (best < 0) printf("null");
    else printf("%.9e", best);
    printf(", \"outputs\": [");
    for (size_t i = 0; i < n_outputs; i++) {
        const char *kind = kinds[i] == TYPE_TENSOR ? "tensor" : kinds[i] == TYPE_SEQUENCE ? "sequence"
                                                            : kinds[i] == TYPE_MAP      ? "map"
                                                                                        : "other";
        printf("%s\"%s\"", i ? ", " : "", kind);
    }
    printf("]}\n");

    for (uint32_t i = 0; i < n_inputs; i++) release_value(values[i]);
    for (size_t i = 0; i < n_outputs; i++)
        FN(SLOT_AllocatorFree, OrtStatus *, OrtAllocator *, void *)(allocator, output_names[i]);
    FN(SLOT_ReleaseMemoryInfo, void, OrtMemoryInfo *)(memory);
    FN(SLOT_ReleaseSession, void, OrtSession *)(session);
    FN(SLOT_ReleaseSessionOptions, void, OrtSessionOptions *)(options);
    FN(SLOT_ReleaseEnv, void, OrtEnv *)(env);
    return 0;
}
