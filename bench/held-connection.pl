#!/usr/bin/perl
# One keep-alive connection to 127.0.0.1:PORT held for as long as standard input is open: each line read there is a
# count, answered with "done" once that many GET /ping have gone one after another on the connection, each answered
# 200, with PAUSE milliseconds between a response and the next request. For bench/callgrind-requests.sh, whose counting windows must not include a connection's set-up or teardown.
# Perl because bash's /dev/tcp writes a request line by line (3 writes, so Kestrel parses it in pieces and the
# client waits out delayed ACKs), and perl-base is on every Debian.
use strict;
use warnings;
use IO::Socket::INET;
use Socket qw(IPPROTO_TCP TCP_NODELAY);

my $port = shift or die "usage: held-connection.pl PORT [PAUSE]\n";
my $pause = (shift // 0) / 1000;
my $server = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", Proto => 'tcp') or die "connect to $port: $!\n";
setsockopt($server, IPPROTO_TCP, TCP_NODELAY, 1) or die "TCP_NODELAY: $!\n";
$| = 1;
my $request = "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

sub read_exactly {
    my ($length) = @_;
    my $body = '';
    while (length($body) < $length) {
        my $read = read($server, $body, $length - length($body), length($body));
        die "connection closed in a body\n" unless $read;
    }
}

sub one_request {
    syswrite($server, $request) == length($request) or die "write: $!\n";
    my $status = <$server>;
    die "connection closed\n" unless defined $status;
    die "GET /ping answered: $status" unless $status =~ m{^HTTP/1\.1 200 };
    my ($length, $chunked) = (0, 0);
    while (my $line = <$server>) {
        $line =~ s/\r?\n\z//;
        last if $line eq '';
        $length = $1 if $line =~ /^content-length:\s*(\d+)/i;
        $chunked = 1 if $line =~ /^transfer-encoding:.*chunked/i;
    }
    if (!$chunked) {
        read_exactly($length);
        return;
    }
    # Chunked (how a minimal API writes a string): a hex size line, the data and CRLF, until the 0 chunk and its CRLF.
    while (my $size = <$server>) {
        $size =~ s/\s+\z//;
        my $bytes = hex($size);
        read_exactly($bytes + 2);
        last if $bytes == 0;
    }
}

while (my $count = <STDIN>) {
    for (1 .. $count) {
        one_request();
        select(undef, undef, undef, $pause) if $pause > 0;
    }
    print "done\n";
}
