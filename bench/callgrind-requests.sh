# Sourced by bench/instructions.sh and bench/side-by-side.sh: instructions per GET /ping of one app under callgrind.
# Needs $work (a scratch folder) and bench/Drain built in Release.
#
# What is counted, and why so (session 7 traced the earlier method's bimodal runs, +/-1,000 a request, to these):
# - The requests go one after another on ONE keep-alive connection held open from the warm-up to the end
#   (bench/held-connection.pl), 2 ms apart, so that each one finds Kestrel waiting on its socket. The earlier
#   method opened 8 new connections inside each counted window: their accepts, set-up and teardown were counted as
#   requests, and the first asynchronous accept JIT-compiled its state machines inside the window ("9 methods
#   compiled while counting"). Back-to-back requests also race the server: whether the next one is already there
#   when Kestrel reads again decides between two paths some thousands of instructions apart.
# - The app runs with --inline (Kestrel's UnsafePreferInlineScheduling) and DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS:
#   a request runs on the thread its socket completed on. Through the thread pool, the hand-offs a request took
#   (a worker woken or found awake, measured per thread) varied from window to window by up to 12 %: they follow
#   how valgrind, which runs one thread at a time, interleaves the threads, not the request path.
# - Kestrel's "heartbeat has been running for longer than 1 s" warning is off (its log level Error): under valgrind
#   on a loaded machine the heartbeat is late now and then, and the first warning JIT-compiles and formats a log line
#   inside whichever window it falls in (seen: 28 methods, +5,000 instructions a request).
# - Each run counts WINDOWS windows of count requests in the same process and takes their median; the instructions
#   the app spends idle for as long (Kestrel's heartbeat, timers: 13,000-25,000 a second) are subtracted.
# - Tiered compilation is off (one fully optimised compilation per method: no background recompilation under
#   valgrind), and counting starts once the JIT has compiled nothing for 3 s, read from the JIT's own list on the
#   app's standard output (line-buffered by coreutils' libstdbuf; C stdio holds 4 KB of it otherwise). A window in
#   which something was compiled all the same is reported as a warning.
# - The app is published ReadyToRun (ready_to_run_app), so that its code and Graceful's are precompiled and optimised
#   as the framework's own are. Under valgrind the JIT compiles most methods with MinOpts (its summary says so, e.g.
#   RequestTrackingMiddleware's request delegate: MinOpts, 452 bytes, where the same run outside valgrind compiles it
#   FullOpts, 292 bytes), while Kestrel and the rest of the shared framework run their ReadyToRun code: JIT-compiled
#   library code was counted unoptimised against an optimised framework (session 9: +1,300 a request JIT-compiled
#   against about +135 ReadyToRun, same code). JIT=1 counts the app JIT-compiled, as before.
# What it leaves out: the thread-pool hand-offs above and a connection's set-up, the same with Graceful on or off.

windows="${WINDOWS:-3}"

ready_to_run_app() { # tree: publishes the tree's BareAspNetCore ReadyToRun (or builds it, with JIT=1); prints its dll
  local peer=$1/bench/peers/BareAspNetCore
  if [ "${JIT:-0}" = 1 ]; then
    dotnet build -c Release "$peer" >/dev/null
    echo "$peer/bin/Release/net10.0/BareAspNetCore.dll"
  else
    dotnet publish -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true "$peer" -o "$peer/bin/r2r" >/dev/null
    echo "$peer/bin/r2r/BareAspNetCore.dll"
  fi
}

total_of_last_dump() { # the "totals:" line of the newest callgrind dump
  grep -h '^totals:' "$(ls -t "$work"/cg.out.* | head -n 1)" | awk '{ print $2 }'
}

send_requests() { # port count: exactly count GET /ping on 8 keep-alive connections
  dotnet bench/Drain/bin/Release/net10.0/Drain.dll requests "$2" 8 "http://127.0.0.1:$1"
}

# The held connection: bench/held-connection.pl as a coprocess, told a count, answering "done".
open_connection() { coproc HELD { perl bench/held-connection.pl "$1" 2; }; }

close_connection() { exec {HELD[1]}>&-; wait "$HELD_PID"; }

on_connection() { # count: that many GET /ping one after another on the held connection, each answered 200
  local done
  echo "$1" >&"${HELD[1]}"
  read -r done <&"${HELD[0]}" && [ "$done" = done ]
}

compiled_so_far() { grep -c "JIT compiled" "$work/app.log" || true; }

until_nothing_compiles() { # waits (at most 5 minutes) until the JIT has compiled no method for 3 s
  local before after
  for _ in $(seq 100); do
    before=$(compiled_so_far); sleep 3; after=$(compiled_so_far)
    [ "$before" = "$after" ] && return
  done
}

median() { tr ' ' '\n' <<<"$*" | awk 'NF' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

per_request() { # app.dll port count app-arguments...: prints instructions per request (median of the windows)
  local app=$1 port=$2 count=$3 pid t0 t1 compiled busy=() seconds=() idle
  shift 3
  rm -f "$work"/cg.out* "$work"/app.log
  LD_PRELOAD=/usr/libexec/coreutils/libstdbuf.so _STDBUF_O=L DOTNET_JitDisasmSummary=1 \
  DOTNET_TieredCompilation=0 DOTNET_EnableWriteXorExecute=0 DOTNET_GCHeapHardLimit=0x40000000 DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 \
  env Logging__LogLevel__Microsoft.AspNetCore.Server.Kestrel=Error DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 \
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" --smc-check=stack \
    dotnet "$app" "$@" --inline --urls "http://127.0.0.1:$port" >"$work/app.log" 2>&1 &
  pid=$!
  for _ in $(seq 600); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.5; done
  send_requests "$port" $((count * 2))
  open_connection "$port"
  on_connection $((count / 5))
  until_nothing_compiles
  for _ in $(seq "$windows"); do
    compiled=$(compiled_so_far)
    callgrind_control -z "$pid" >/dev/null
    t0=$(date +%s.%N); on_connection "$count"; t1=$(date +%s.%N)
    callgrind_control -d "$pid" >/dev/null
    busy+=("$(total_of_last_dump)")
    seconds+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
    compiled=$(( $(compiled_so_far) - compiled ))
    [ "$compiled" = 0 ] || echo "warning: $compiled methods compiled while counting: the count includes their compilation" >&2
  done
  callgrind_control -z "$pid" >/dev/null
  t0=$(date +%s.%N); sleep "$(median "${seconds[@]}")"; t1=$(date +%s.%N)
  callgrind_control -d "$pid" >/dev/null
  idle=$(awk -v i="$(total_of_last_dump)" -v a="$t0" -v b="$t1" 'BEGIN { print i / (b - a) }')
  close_connection
  # Counted already: the app only has to go. Bounded, because a SIGTERM handler can fail under valgrind (seen: an
  # EventSource's type initializer throwing), leaving the app running.
  kill -TERM "$pid"
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  local each=() i
  for i in "${!busy[@]}"; do
    each+=("$(awk -v b="${busy[$i]}" -v s="${seconds[$i]}" -v r="$idle" -v n="$count" 'BEGIN { printf "%.0f", (b - r * s) / n }')")
  done
  echo "  windows: ${each[*]} instructions per request; idle $(printf '%.0f' "$idle") a second" >&2
  median "${each[@]}"
}

mean() { tr ' ' '\n' <<<"$*" | awk 'NF { s += $1; n++ } END { printf "%.0f", s / n }'; }
