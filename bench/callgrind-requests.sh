# Sourced by bench/instructions.sh and bench/side-by-side.sh: instructions per GET /ping of one app under callgrind.
# Needs $work (a scratch folder) and bench/Drain built in Release.
# The app runs with tiered compilation off (one fully optimised compilation per method: no background recompilation
# under valgrind), serves 2x the measured count as warm-up, then exactly count requests on 8 keep-alive connections
# are counted; the same app's instructions while idle for as long are subtracted. Before counting, it waits until
# the JIT has compiled nothing new for 3 s: a background compilation still running (Graceful's shutdown-path
# warm-up under valgrind takes tens of seconds on a loaded machine) would otherwise be counted as the requests' cost.

total_of_last_dump() { # the "totals:" line of the newest callgrind dump
  grep -h '^totals:' "$(ls -t "$work"/cg.out.* | head -n 1)" | awk '{ print $2 }'
}

send_requests() { # port count: exactly count GET /ping on 8 keep-alive connections
  dotnet bench/Drain/bin/Release/net10.0/Drain.dll requests "$2" 8 "http://127.0.0.1:$1"
}

# The JIT's list of what it compiles goes to the app's standard output, line-buffered by coreutils' libstdbuf (C stdio
# would otherwise hold up to 4 KB of it, and the count would lag what was compiled).
compiled_so_far() { grep -c "JIT compiled" "$work/app.log" || true; }

until_nothing_compiles() { # waits (at most 5 minutes) until the JIT has compiled no method for 3 s
  local before after
  for _ in $(seq 100); do
    before=$(compiled_so_far); sleep 3; after=$(compiled_so_far)
    [ "$before" = "$after" ] && return
  done
}

per_request() { # app.dll port count app-arguments...: prints instructions per request
  local app=$1 port=$2 count=$3 pid t0 t1 busy idle
  shift 3
  rm -f "$work"/cg.out* "$work"/app.log
  LD_PRELOAD=/usr/libexec/coreutils/libstdbuf.so _STDBUF_O=L DOTNET_JitDisasmSummary=1 \
  DOTNET_TieredCompilation=0 DOTNET_EnableWriteXorExecute=0 DOTNET_GCHeapHardLimit=0x40000000 DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 \
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" --smc-check=stack \
    dotnet "$app" "$@" --urls "http://127.0.0.1:$port" >"$work/app.log" 2>&1 &
  pid=$!
  for _ in $(seq 600); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.5; done
  send_requests "$port" $((count * 2))
  until_nothing_compiles
  local compiled; compiled=$(compiled_so_far)
  callgrind_control -z "$pid" >/dev/null
  t0=$(date +%s.%N); send_requests "$port" "$count"; t1=$(date +%s.%N)
  callgrind_control -d "$pid" >/dev/null; sleep 1
  busy=$(total_of_last_dump)
  compiled=$(( $(compiled_so_far) - compiled ))
  [ "$compiled" = 0 ] || echo "warning: $compiled methods compiled while counting: the count includes their compilation" >&2
  callgrind_control -z "$pid" >/dev/null
  sleep "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
  callgrind_control -d "$pid" >/dev/null; sleep 1
  idle=$(total_of_last_dump)
  # Counted already: the app only has to go. Bounded, because a SIGTERM handler can fail under valgrind (seen: an
  # EventSource's type initializer throwing), leaving the app running.
  kill -TERM "$pid"
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  awk -v b="$busy" -v i="$idle" -v n="$count" 'BEGIN { printf "%.0f\n", (b - i) / n }'
}

mean() { tr ' ' '\n' <<<"$*" | awk 'NF { s += $1; n++ } END { printf "%.0f", s / n }'; }
