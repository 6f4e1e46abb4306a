#!/usr/bin/env python3
"""HTTP/2 (h2c) frames off a loopback capture: what each side sent, in order, with times from the connection's SYN.

    tcpdump -i lo -U -w lo.pcap tcp &   # then run the drill, e.g. graceful-drill signal --http 2 --fuzz 50 ...
    bench/h2c-frames.py lo.pcap         # a line per h2c connection that got a GOAWAY: streams opened, unanswered, last id
    bench/h2c-frames.py lo.pcap -v      # and every frame of each, FIN and RST included

A connection is flagged LOST-WITHIN-GOAWAY when a stream at or below the final GOAWAY's last stream id was never
answered (the server abandoned a stream it counted as processed), ONLY-FIRST-GOAWAY when the only GOAWAY read was
2^31-1. docs/design.md ("The stream lost at the close") shows what it found.
"""
import struct, sys, collections
FT = {0:'DATA',1:'HEADERS',2:'PRIORITY',3:'RST_STREAM',4:'SETTINGS',5:'PUSH',6:'PING',7:'GOAWAY',8:'WINDOW_UPDATE',9:'CONT'}
PREFACE = b'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'
def packets(path):
    f = open(path,'rb'); gh = f.read(24)
    magic = struct.unpack('<I', gh[:4])[0]; nano = magic == 0xa1b23c4d
    link = struct.unpack('<I', gh[20:24])[0]
    while True:
        h = f.read(16)
        if len(h) < 16: return
        ts, tf, incl, orig = struct.unpack('<IIII', h); data = f.read(incl)
        t = ts + tf / (1e9 if nano else 1e6)
        off = 14 if link == 1 else (16 if link == 113 else 0)
        ip = data[off:]
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6: continue
        ihl = (ip[0] & 15) * 4; tot = struct.unpack('>H', ip[2:4])[0]
        src = ip[12:16]; dst = ip[16:20]; tcp = ip[ihl:tot]
        sp, dp, seq, ack, offf, flags = struct.unpack('>HHIIBB', tcp[:14])
        doff = (offf >> 4) * 4
        yield t, sp, dp, seq, flags, tcp[doff:]
def main(path, only=None):
    conns = collections.OrderedDict()  # key (cport, sport)
    for t, sp, dp, seq, flags, payload in packets(path):
        syn = flags & 2; fin = flags & 1; rst = flags & 4
        k1 = (sp, dp); k2 = (dp, sp)
        if syn and not (flags & 16):
            conns[k1] = {'t0': t, 'dirs': {k1: {'isn': seq + 1, 'segs': {}, 'ev': []}, k2: None}, 'events': []}
            continue
        c = conns.get(k1) or conns.get(k2)
        if not c: continue
        if syn:  # syn-ack
            c['dirs'][k1] = {'isn': seq + 1, 'segs': {}, 'ev': []}; continue
        d = c['dirs'].get(k1)
        if d is None: continue
        if payload: d['segs'].setdefault(seq, (t, payload))
        if fin: c['events'].append((t, k1, 'FIN'))
        if rst: c['events'].append((t, k1, 'RST'))
    for key, c in conns.items():
        cport, sport = key
        if only and cport not in only and sport not in only: continue
        timeline = []
        for dk, d in c['dirs'].items():
            if not d: continue
            who = 'C>' if dk == key else 'S>'
            # reassemble by relative seq, remembering the time each byte arrived
            chunks = sorted(((s - d['isn']) & 0xffffffff, tp) for s, tp in d['segs'].items())
            buf = bytearray(); times = []
            for rel, (t, p) in chunks:
                if rel > len(buf): break
                p = p[len(buf) - rel:]
                buf += p; times += [t] * len(p)
            i = 0
            if who == 'C>' and buf.startswith(PREFACE): i = len(PREFACE)
            if who == 'C>' and not buf.startswith(PREFACE): break
            while i + 9 <= len(buf):
                ln = int.from_bytes(buf[i:i+3], 'big'); ty = buf[i+3]; fl = buf[i+4]
                sid = int.from_bytes(buf[i+5:i+9], 'big') & 0x7fffffff
                pl = bytes(buf[i+9:i+9+ln])
                desc = f"{FT.get(ty, ty)} s={sid} fl={fl:#x} len={ln}"
                if ty == 7 and len(pl) >= 8: desc += f" last={int.from_bytes(pl[:4],'big') & 0x7fffffff} err={int.from_bytes(pl[4:8],'big')}"
                if ty == 3 and len(pl) >= 4: desc += f" err={int.from_bytes(pl[:4],'big')}"
                timeline.append((times[i], who, ty, sid, fl, desc))
                i += 9 + ln
        for t, dk, e in c['events']:
            timeline.append((t, 'C>' if dk == key else 'S>', -1, 0, 0, e))
        timeline.sort(key=lambda x: x[0])
        if not timeline: continue
        if not any(x[2] == 7 for x in timeline):
            print(f'== conn client:{cport} server:{sport} NO-GOAWAY t0={c["t0"]:.3f} ' + ' | '.join(f'{1000*(x[0]-c["t0"]):.1f} {x[1]} {x[5]}' for x in timeline)); continue
        # streams the client opened vs answered
        opened = [x[3] for x in timeline if x[1] == 'C>' and x[2] == 1]
        ended = {x[3] for x in timeline if x[1] == 'S>' and ((x[2] in (0, 1) and x[4] & 1) or x[2] == 3)}
        goaways = [x for x in timeline if x[2] == 7]
        last = int(goaways[-1][5].split('last=')[1].split()[0])
        unanswered = [s for s in opened if s not in ended]
        within = [s for s in unanswered if s <= last]
        flag = 'LOST-WITHIN-GOAWAY' if within else ('ONLY-FIRST-GOAWAY' if last == 2147483647 else '')
        print(f"== conn client:{cport} server:{sport} t0={c['t0']:.3f} opened={opened} unanswered={unanswered} final-last={last} {flag}")
        if flag or '-v' in sys.argv:
            t0 = timeline[0][0]
            for t, who, ty, sid, fl, desc in timeline:
                print(f"  {1000*(t-t0):9.3f} ms {who} {desc}")
if __name__ == '__main__':
    main(sys.argv[1])
