#!/usr/bin/env bash
# The throughput benchmark on a lent GPU machine (the `device` tool), spread over
# several calls because at most 64 MiB travel per call: the Python packages the
# image lacks (installed here into a Python 3.12 --target folder and packed), the
# 145 MB Whisper model in three parts, then the corpus. The image has CUDA 13
# only; ctranslate2's wheel asks for libcublas.so.12, so a folder of symlinks to
# the CUDA 13 libraries goes first on LD_LIBRARY_PATH. README, batch section.
#
# Runs ON the device machine from the repo root, with the image's python3
# (3.12, torch/CUDA 13), nothing fetched:  bash benchmarks/gpu_run.sh [bench [ARGS...]]
# Every call uses this same command; each step works from whatever the calls so
# far carried under .dev/ and skips (with a message) what is not there yet:
#   .dev/sitepack/site.tar.xz     the Python packages, pre-installed (or .dev/whl*/*.whl)
#   .dev/m1 .dev/m2 .dev/m3       model.bin in 3 parts (+ the small model files in m1)
#   .dev/realspeech/ .dev/realspeech2/  ../shared/data/real-speech and real-speech-2
#   .dev/corpuspack/corpus.tar.xz the generated hall-shaped corpus (folder corpus-hall/)
# With `bench` it runs benchmarks/throughput.py (BENCH_ARGS below, or the ARGS given).
# With `stream` it runs benchmarks/stream_latency.py on the GPU (STREAM_ARGS below, or the
# ARGS given) over the calls carried in .dev/livecalls (made here with
# `benchmarks/stream_latency.py --save-calls .dev/livecalls --concurrency '' --configs default`;
# the device has no natural voice); the site pack must then hold websockets too.
#
# Preparing .dev/ here (add /.dev/ to .git/info/exclude), with a Python 3.12:
#   pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#       --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 -d /tmp/whl \
#       ctranslate2==4.8.5 faster-whisper==1.2.1 av==18.1.0 opencc==1.4.2 \
#       pypinyin==0.55.0 ahocorasick_rs==1.0.3 websockets   # websockets: the `stream` step
#   python3.12 -m pip install --no-index --no-deps --target /tmp/site /tmp/whl/*.whl
#   tar -C /tmp/site -cf - . | xz -9 > .dev/sitepack/site.tar.xz
#   M=~/.cache/conduct-analyzer/whisper-base-*; split -b 48405844 -d $M/model.bin part
#   (part00 + the small model files + model.bin.sha256 -> .dev/m1, part01 -> m2, part02 -> m3)
#   cp ../shared/data/real-speech/* .dev/realspeech/; cp ../shared/data/real-speech-2/* .dev/realspeech2/
#   .venv-bench/bin/python benchmarks/hall_corpus.py benchmarks/results/corpus-hall --shape hall --minutes 8
#   tar -C benchmarks/results -cf - corpus-hall | xz -9 > .dev/corpuspack/corpus.tar.xz
# Calls: carry .dev/sitepack, then .dev/m1, then .dev/m2, then .dev/m3 + .dev/realspeech +
# .dev/realspeech2 + .dev/corpuspack with `bench`; each within 30 s of the last (the
# machine stays warm). The `bench` call runs in about 6 minutes on an H200 (BENCH_ARGS).
# Local test without a GPU (a python that has the packages and finds the model itself):
#   GPU_RUN_DEVICE=cpu GPU_RUN_COMPUTE=int8 PYTHON=.venv-bench/bin/python GPU_RUN_STASH=/tmp/s \
#       OUT=/tmp/o bash benchmarks/gpu_run.sh bench --device cpu --corpus DIR --minutes 1 ...
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
# A call removes what earlier calls carried into the checkout, so each call's
# carried folders are first copied to a stash outside it (kept while the machine
# stays warm), and every step works from there.
DEV=${GPU_RUN_STASH:-/root/conduct-stash}
mkdir -p "$DEV"
for d in "$ROOT"/.dev/*/; do
    [ -d "$d" ] || continue
    rm -rf "$DEV/$(basename "$d")" && cp -a "$d" "$DEV/"
done
echo "[gpu_run] stash $DEV holds: $(cd "$DEV" && echo *)"
OUT=${OUT:-$DEV/out}
mkdir -p "$OUT"
PY=${PYTHON:-python3}
DEVICE=${GPU_RUN_DEVICE:-cuda}
COMPUTE=${GPU_RUN_COMPUTE:-float16}

# ---- BENCH_ARGS: the throughput.py arguments ------------------------------------
# `bash benchmarks/gpu_run.sh bench A B ...` uses A B ... instead.
# (a relative --corpus is made absolute below: `conduct batch` reads the paths of
# the baseline's subset manifest relative to that manifest, in a temp folder)
# 8 min hall corpus x 8 = 64 min of audio; the GPU wants wide batches and many recordings
# in flight; workers x threads fill the 16 CPU cores that VAD and decoding run on.
BENCH_ARGS=(--device cuda --corpus "$DEV/corpus-hall" --shape hall --minutes 8 --repeat 8
            --baseline-files 12 --configs 4x2 --peers naive,batched16,batched16-words
            --variant "defaults=--inflight 16 --batch-size 32"
            --out "$OUT/throughput-gpu.json")
# ---- STREAM_ARGS: the stream_latency.py arguments (`bash benchmarks/gpu_run.sh stream`) --
STREAM_ARGS=(--device cuda --calls-from "$DEV/livecalls" --concurrency 1,2,4,8 --repeat 2
             --configs default --out "$OUT/stream-latency-gpu.json")
# -----------------------------------------------------------------------------

log() { echo "[gpu_run $(date +%T)] $*"; }

# (a) Python packages into .dev/site ------------------------------------------
# one marker per source, holding the names and sizes it was installed from
stamp() { stat -c '%n %s' "$@" 2>/dev/null | md5sum | cut -c1-16; }

untar_xz() {  # untar_xz ARCHIVE DIR  (tar -xJ, else Python's tarfile)
    mkdir -p "$2"
    tar -xJf "$1" -C "$2" 2>/dev/null ||
        "$PY" - "$1" "$2" <<'EOF'
import sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    try:
        t.extractall(sys.argv[2], filter="fully_trusted")
    except TypeError:  # a Python without extraction filters
        t.extractall(sys.argv[2])
EOF
}

step_site() {
    local site=$DEV/site src name s
    if [ -f "$DEV/sitepack/site.tar.xz" ]; then
        s=$(stamp "$DEV/sitepack/site.tar.xz")
        if [ "$(cat "$site/.ok-sitepack" 2>/dev/null)" = "$s" ]; then
            log "site: sitepack already unpacked"
        else
            log "site: unpacking .dev/sitepack/site.tar.xz ($(du -h "$DEV/sitepack/site.tar.xz" | cut -f1))"
            local t0=$SECONDS
            if untar_xz "$DEV/sitepack/site.tar.xz" "$site"; then
                echo "$s" >"$site/.ok-sitepack"
                log "site: unpacked in $((SECONDS - t0)) s"
            else
                log "site: UNPACK FAILED"
            fi
        fi
    fi
    for src in "$DEV"/whl*/; do
        [ -d "$src" ] || continue
        compgen -G "$src*.whl" >/dev/null || continue
        name=$(basename "$src")
        s=$(stamp "$src"*.whl)
        if [ "$(cat "$site/.ok-$name" 2>/dev/null)" = "$s" ]; then
            log "site: $name already installed"
            continue
        fi
        log "site: pip install $name: $(cd "$src" && echo *.whl)"
        if "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
                --target "$site" "$src"*.whl; then
            echo "$s" >"$site/.ok-$name"
        else
            log "site: pip install $name FAILED"
        fi
    done
    if [ -d "$site" ]; then
        export PYTHONPATH=$site:$ROOT${PYTHONPATH:+:$PYTHONPATH}
        "$PY" - <<'EOF'
import importlib
ok = True
for mod in ("ctranslate2", "faster_whisper", "av", "opencc", "pypinyin", "ahocorasick_rs"):
    try:
        m = importlib.import_module(mod)
        print(f"  {mod} {getattr(m, '__version__', '?')}  {m.__file__}")
    except Exception as exc:  # noqa: BLE001
        ok = False
        print(f"  {mod} MISSING: {type(exc).__name__}: {exc}")
print("site: all packages import" if ok else "site: INCOMPLETE (carry the rest)")
EOF
        SITE_OK=$("$PY" -c 'import ctranslate2, faster_whisper, av, opencc, pypinyin, ahocorasick_rs' \
            2>/dev/null && echo 1 || echo 0)
    else
        export PYTHONPATH=$ROOT${PYTHONPATH:+:$PYTHONPATH}
        if "$PY" -c 'import ctranslate2, faster_whisper, av, opencc, pypinyin, ahocorasick_rs' \
                2>/dev/null; then
            log "site: nothing carried; $PY has every package"
            SITE_OK=1
        else
            log "site: skipped, no .dev/sitepack/site.tar.xz or .dev/whl*/*.whl carried yet"
            SITE_OK=0
        fi
    fi
}

# (b) CUDA libraries: libcublas(Lt).so.12 -> the image's CUDA 13 ones; cuDNN dirs
find_lib() {  # find_lib NAME_GLOB: first match in the nvidia wheels, CUDA, system dirs
    local roots=() r f
    mapfile -t roots < <("$PY" - <<'EOF'
import os, site, sys
roots = []
try:
    import nvidia
    roots += list(nvidia.__path__)
except Exception:
    pass
for p in site.getsitepackages() + [site.getusersitepackages()] + sys.path:
    q = os.path.join(p, "nvidia")
    if os.path.isdir(q):
        roots.append(q)
seen = set()
for r in roots:
    r = os.path.realpath(r)
    if r not in seen:
        seen.add(r)
        print(r)
EOF
    )
    for r in "${roots[@]}" /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib \
             /usr/local/cuda*/lib64 /usr/lib/x86_64-linux-gnu /usr/local/lib; do
        [ -d "$r" ] || continue
        f=$(find "$r" -maxdepth 5 -name "$1" \( -type f -o -type l \) 2>/dev/null | sort -V | tail -1)
        if [ -n "$f" ]; then echo "$f"; return 0; fi
    done
    # last resort: the loader cache ("name (libc6,x86-64) => /path")
    local line
    while read -r line; do
        f=${line##*=> }
        # shellcheck disable=SC2053  # $1 is a glob on purpose
        [[ ${f##*/} == $1 ]] && { echo "$f"; return 0; }
    done < <(ldconfig -p 2>/dev/null | grep '=>' | sort -V -r)
    return 1
}

step_cuda() {
    local lib=$DEV/cudalib dirs=() name target d
    mkdir -p "$lib"
    for name in libcublas libcublasLt; do
        target=$(find_lib "$name.so.12")                       # a real CUDA 12 one, if any
        [ -n "$target" ] || target=$(find_lib "$name.so.13")
        [ -n "$target" ] || target=$(find_lib "$name.so.1[3-9]*")
        if [ -n "$target" ]; then
            ln -sfn "$target" "$lib/$name.so.12"
            dirs+=("$(dirname "$(readlink -f "$target")")")
            log "cuda: $lib/$name.so.12 -> $target"
        else
            log "cuda: NO $name.so.1x FOUND (ctranslate2 on cuda will fail)"
        fi
    done
    target=$(find_lib "libcudnn.so.9")
    [ -n "$target" ] || target=$(find_lib "libcudnn.so.9*")
    if [ -n "$target" ]; then
        dirs+=("$(dirname "$(readlink -f "$target")")")
        log "cuda: cuDNN $target"
    else
        log "cuda: no libcudnn.so.9 found (ctranslate2 4.8.5 does not name cuDNN; may be fine)"
    fi
    local ld=$lib
    for d in "${dirs[@]}"; do
        case ":$ld:" in *":$d:"*) ;; *) ld=$ld:$d ;; esac
    done
    export LD_LIBRARY_PATH=$ld${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    log "cuda: LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
}

# (c) model.bin from its three parts ------------------------------------------
step_model() {
    local model=$DEV/model parts=() p f want got
    MODEL_OK=0
    if [ -f "$model/.joined" ]; then
        log "model: already joined in .dev/model"
        MODEL_OK=1
    elif [ -d "$DEV/m3" ]; then
        for p in m1 m2 m3; do
            f=$(compgen -G "$DEV/$p/model.bin.part*" | head -1)
            if [ -z "$f" ]; then
                log "model: .dev/$p is missing (a fresh machine loses what earlier calls carried): not joined"
                return
            fi
            parts+=("$f")
        done
        want=$(awk '{print $1}' "$DEV/m1/model.bin.sha256")
        log "model: joining ${parts[*]#$DEV/}"
        rm -rf "$model.tmp" && mkdir -p "$model.tmp" &&
            cat "${parts[@]}" >"$model.tmp/model.bin" &&
            find "$DEV/m1" -maxdepth 1 -type f ! -name 'model.bin.part*' ! -name 'model.bin.sha256' \
                -exec cp -p {} "$model.tmp/" \;
        got=$(sha256sum "$model.tmp/model.bin" | awk '{print $1}')
        if [ -n "$want" ] && [ "$got" = "$want" ]; then
            rm -rf "$model" && mv "$model.tmp" "$model" && touch "$model/.joined"
            log "model: sha256 OK $got ($(stat -c %s "$model/model.bin") bytes)"
            MODEL_OK=1
        else
            log "model: SHA256 MISMATCH: got $got, want $want"
        fi
    elif [ "$SITE_OK" = 1 ] && "$PY" -c 'from analyzer.options import ASROptions
from analyzer.speech.asr import model_path; model_path(ASROptions())' 2>/dev/null; then
        log "model: nothing carried; the package finds its own model"
        MODEL_OK=2
    else
        local have=""
        for p in m1 m2; do [ -d "$DEV/$p" ] && have="$have $p"; done
        log "model: skipped, .dev/m3 not carried yet (here so far:${have:- none})"
    fi
    [ "$MODEL_OK" = 2 ] && { MODEL_OK=1; return; }
    if [ "$MODEL_OK" = 1 ]; then
        export CONDUCT_MODEL=$model
        log "model: CONDUCT_MODEL=$CONDUCT_MODEL"
    fi
}

# (d) the GPU and ctranslate2 --------------------------------------------------
step_info() {
    nvidia-smi -L 2>&1 || log "info: no nvidia-smi"
    "$PY" - <<'EOF' 2>&1
import ctypes
for name in ("libcublas.so.12", "libcublasLt.so.12", "libcudnn.so.9"):
    try:
        ctypes.CDLL(name)
        print(f"info: dlopen {name}: ok")
    except OSError as exc:
        print(f"info: dlopen {name}: FAILED {exc}")
EOF
    if [ "$SITE_OK" = 1 ]; then
        "$PY" -c 'import ctranslate2; print("ctranslate2", ctranslate2.__version__, "cuda devices:", ctranslate2.get_cuda_device_count(), "cuda compute types:", ctranslate2.get_supported_compute_types("cuda") if ctranslate2.get_cuda_device_count() else "-")' 2>&1
    else
        log "info: ctranslate2 not installed yet"
    fi
}

# (e) sanity: one real clip through faster-whisper -----------------------------
step_sanity() {
    if [ "$SITE_OK" != 1 ] || [ "$MODEL_OK" != 1 ]; then
        log "sanity: skipped (packages or model not ready)"
        return
    fi
    local clip
    clip=$(compgen -G "$DEV/realspeech/*.wav" | sort | head -1)
    DEVICE=$DEVICE COMPUTE=$COMPUTE CLIP=$clip "$PY" - <<'EOF' 2>&1
import os, time
from faster_whisper import WhisperModel
t0 = time.perf_counter()
from analyzer.options import ASROptions
from analyzer.speech.asr import model_path
m = WhisperModel(os.environ.get("CONDUCT_MODEL") or str(model_path(ASROptions())),
                 device=os.environ["DEVICE"],
                 compute_type=os.environ["COMPUTE"])
print(f"sanity: model loaded on {os.environ['DEVICE']}/{os.environ['COMPUTE']} "
      f"in {time.perf_counter() - t0:.2f} s")
clip = os.environ.get("CLIP")
if not clip:
    print("sanity: no .dev/realspeech/*.wav carried yet, transcription skipped")
else:
    for run in (1, 2):
        t0 = time.perf_counter()
        segs, info = m.transcribe(clip, beam_size=5)
        text = "".join(s.text for s in segs)
        print(f"sanity: run {run} {os.path.basename(clip)} ({info.duration:.2f} s audio, "
              f"lang {info.language}) in {time.perf_counter() - t0:.3f} s: {text}")
EOF
}

# (f) the benchmark ------------------------------------------------------------
step_bench() {
    local bad=0
    [ "$SITE_OK" = 1 ] || { log "bench: packages not ready"; bad=1; }
    [ "$MODEL_OK" = 1 ] || { log "bench: model not ready"; bad=1; }
    if [ -f "$DEV/corpuspack/corpus.tar.xz" ]; then
        local s
        s=$(stamp "$DEV/corpuspack/corpus.tar.xz")
        if [ "$(cat "$DEV/.ok-corpuspack" 2>/dev/null)" != "$s" ]; then
            log "bench: unpacking corpus.tar.xz into $DEV/corpus-hall"
            rm -rf "$DEV/corpus-hall" && untar_xz "$DEV/corpuspack/corpus.tar.xz" "$DEV" &&
                echo "$s" >"$DEV/.ok-corpuspack"
        fi
    fi
    if [ $# -eq 0 ] && [ ! -f "$DEV/corpus-hall/.corpus.json" ]; then
        log "bench: no .dev/corpus-hall/.corpus.json (carry .dev/corpuspack)"; bad=1
    fi
    local rs set dir
    # throughput.py reads ROOT/../shared/data/real-speech{,-2} (not carried there)
    for set in realspeech:real-speech realspeech2:real-speech-2; do
        dir=${set%%:*} rs=$ROOT/../shared/data/${set#*:}
        if [ ! -e "$rs/manifest.tsv" ]; then
            if [ -f "$DEV/$dir/manifest.tsv" ]; then
                mkdir -p "$(dirname "$rs")" && ln -sfn "$DEV/$dir" "$rs" &&
                    log "bench: linked $rs -> $DEV/$dir"
            else
                log "bench: no $rs and no .dev/$dir/manifest.tsv"; bad=1
            fi
        fi
    done
    [ "$bad" = 0 ] || { log "bench: NOT RUN"; return 1; }

    local args=("${BENCH_ARGS[@]}") i
    [ $# -gt 0 ] && args=("$@")
    for i in "${!args[@]}"; do
        if [ "${args[i]}" = --corpus ] && [ -n "${args[i+1]:-}" ] && [ "${args[i+1]:0:1}" != / ]; then
            args[i+1]=$ROOT/${args[i+1]}
        elif [[ ${args[i]} == --corpus=[!/]* ]]; then
            args[i]=--corpus=$ROOT/${args[i]#--corpus=}
        fi
    done

    log "bench: python3 benchmarks/throughput.py ${args[*]}"
    PYTHONUNBUFFERED=1 "$PY" benchmarks/throughput.py "${args[@]}"
    local rc=$?
    log "bench: exit $rc"
    return $rc
}

# (g) the live latency benchmark ------------------------------------------------
step_stream() {
    local bad=0
    [ "$SITE_OK" = 1 ] || { log "stream: packages not ready"; bad=1; }
    [ "$MODEL_OK" = 1 ] || { log "stream: model not ready"; bad=1; }
    "$PY" -c 'import websockets' 2>/dev/null || { log "stream: no websockets in the site pack"; bad=1; }
    compgen -G "$DEV/livecalls/*.wav" >/dev/null || { log "stream: no .dev/livecalls/*.wav"; bad=1; }
    [ "$bad" = 0 ] || { log "stream: NOT RUN"; return 1; }
    local args=("${STREAM_ARGS[@]}")
    [ $# -gt 0 ] && args=("$@")
    log "stream: python3 benchmarks/stream_latency.py ${args[*]}"
    PYTHONUNBUFFERED=1 "$PY" benchmarks/stream_latency.py "${args[@]}"
    local rc=$?
    log "stream: exit $rc"
    return $rc
}

main() {
    local t0=$SECONDS rc=0
    log "start in $ROOT, python3 = $(command -v "$PY") $("$PY" -V 2>&1), OUT=$OUT"
    step_site
    step_cuda
    step_model
    step_info
    step_sanity
    if [ "${1:-}" = bench ]; then
        shift
        step_bench "$@" || rc=$?
    elif [ "${1:-}" = stream ]; then
        shift
        step_stream "$@" || rc=$?
    fi
    log "done in $((SECONDS - t0)) s"
    return $rc
}

main "$@" 2>&1 | tee -a "$OUT/gpu-log.txt"
exit "${PIPESTATUS[0]}"
