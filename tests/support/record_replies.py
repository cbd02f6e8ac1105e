#!/usr/bin/env python3
"""Records the replies of a real redis-server for the tables of recorded replies in the RESP tests
(tests/resp_*_test.cpp: `test::Row`s replayed by `test::replay`).

    python3 tests/support/record_replies.py COMMANDS_FILE PORT > rows.txt

COMMANDS_FILE holds one command per line, split as a shell would (quotes for spaces and empty
arguments; \\xNN escapes for bytes); lines starting with '#' are skipped. The commands run on
one connection in RESP2 and then on another in RESP3 (after FLUSHALL and HELLO 3) against the
server on 127.0.0.1:PORT; each is printed as a C++ Row with both replies' exact bytes (the RESP3
one empty when equal), strings with NUL bytes as std::string(literal, length).
"""
import socket, sys, subprocess, time
cmds = [l.rstrip('\n') for l in open(sys.argv[1]) if l.strip() and not l.startswith('#')]
def parse_cmd(line):
    # tokens separated by spaces; "" for empty, quoted tokens with spaces; \xNN escapes
    import shlex, codecs
    return [codecs.escape_decode(t.encode('latin-1'))[0].decode('latin-1') if '\\' in t else t for t in shlex.split(line)]
def enc(args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode('latin-1'); out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out
def read_reply(sock, buf):
    # returns (reply_bytes, rest)
    def need(n):
        nonlocal buf
        while len(buf) < n:
            d = sock.recv(65536)
            if not d: raise EOFError
            buf += d
    def line(pos):
        nonlocal buf
        while True:
            i = buf.find(b"\r\n", pos)
            if i >= 0: return i
            d = sock.recv(65536); buf += d
    def one(pos):
        i = line(pos)
        t = buf[pos:pos+1]; body = buf[pos+1:i]
        p = i + 2
        if t in b"+-:_,#(":
            return p
        if t in b"$=!":
            n = int(body)
            if n < 0: return p
            need(p + n + 2); return p + n + 2
        if t in b"*~>%|":
            n = int(body)
            if n < 0: return p
            if t in b"%|": n *= 2
            for _ in range(n): p = one(p)
            return p
        raise ValueError(buf[pos:pos+20])
    end = one(0)
    return buf[:end], buf[end:]
def run(port, resp3):
    s = socket.create_connection(("127.0.0.1", port)); buf = b""
    s.sendall(enc(["FLUSHALL"])); r, buf = read_reply(s, buf)
    if resp3:
        s.sendall(enc(["HELLO", "3"])); r, buf = read_reply(s, buf)
    out = []
    for c in cmds:
        s.sendall(enc(parse_cmd(c))); r, buf = read_reply(s, buf); out.append(r)
    return out
port = int(sys.argv[2])
r2 = run(port, False); r3 = run(port, True)
def cstr(b):
    s = ''
    for ch in b:
        if ch == 13: s += '\\r'
        elif ch == 10: s += '\\n'
        elif ch == 34: s += '\\"'
        elif ch == 92: s += '\\\\'
        elif 32 <= ch < 127 and ch != 63: s += chr(ch)
        else: s += '\\%03o' % ch
    lit = '"' + s + '"'
    return 'std::string(%s, %d)' % (lit, len(b)) if 0 in b else lit
for c, a, b in zip(cmds, r2, r3):
    args = ', '.join(cstr(x.encode('latin-1')) for x in parse_cmd(c))
    print('            {{%s}, %s, %s},' % (args, cstr(a), cstr(b) if a != b else '""'))
