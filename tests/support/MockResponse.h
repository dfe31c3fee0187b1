#pragma once

#include <QByteArray>
#include <QList>

namespace sluice::test {

// What a mock connection writes for one request, and when: the head, then each piece as its own write (one
// whole HTTP chunk per SSE event), then the trailer, or an abnormal end.
struct MockResponse
{
    enum class End {
        Complete, // every piece, then the trailer
        Close, // a clean close (FIN) after endAfterPieces pieces, no trailer
        Reset, // a reset (RST) after endAfterPieces pieces
    };

    int status = 200;
    QByteArray head; // status line and headers, ending with the empty line; may include a whole body
    QList<QByteArray> pieces;
    QByteArray trailer; // "0\r\n\r\n" for chunked responses
    int headDelayMs = 0;
    int pieceDelayMs = 0; // before each piece
    bool stall = false; // never answer
    bool resetBeforeHead = false;
    End end = End::Complete;
    int endAfterPieces = 0;
    bool closeAfter = false; // the request asked for Connection: close
};

} // namespace sluice::test
