pragma circom 2.1.0;

// Template library of tcp prove (no main component). The statement, for a window of N fixed-point observations
// of one baseline feature, of which the first n are real and the rest is padding:
//   - every x[i] is an integer in [0, valueLimit), valueLimit = 2^bits <= 2^MAXBITS (the baseline's bit width);
//   - padding: active[0..N-1] is 1...1 0...0 with exactly n ones, n >= 1, and x[i] = 0 where active[i] = 0;
//   - sumLower <= S <= sumUpper, S = sum(x)                       (the z-test of src/core/baseline/bounds.ts)
//   - n * Q - S^2 <= n^2 * vmax, Q = sum(x^2)                      (the variance test of the same file)
//   - commitment = PoseidonChain(pack(x) ++ [header, baselineDigest, salt]), pack = MAXBITS-bit lanes, PACK lanes
//     per field element, header = N + 2^16 n + 2^32 featureIndex (src/core/zk/commitment.ts recomputes it);
//   - nonce: the verifier's challenge, a public input bound by a squaring constraint.
// The verifier computes every public input from the signed baseline (see src/core/zk/statement.ts); this circuit
// only relates them to the private window. Every signal assigned with <-- is pinned by a constraint below it.

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/poseidon.circom";

// x in [0, 2^bits) as bits; Num2Bits pins every bit (b*(b-1) = 0) and the recomposition.
template RangeBits(bits) {
    signal input in;
    signal output out[bits];
    component n2b = Num2Bits(bits);
    n2b.in <== in;
    for (var j = 0; j < bits; j++) out[j] <== n2b.out[j];
}

// a >= b for values known to be below 2^(bits-1) in absolute value: a - b is range-checked to bits bits, so a
// negative difference (a field element near p) fails. bits must stay below 253 (no aliasing).
template GreaterEq(bits) {
    assert(bits < 253);
    signal input a;
    signal input b;
    component r = Num2Bits(bits);
    r.in <== a - b;
}

// Padding rule: active is boolean, non-increasing, starts with 1 and sums to n; padded values are 0.
template Padding(N) {
    signal input x[N];
    signal input active[N];
    signal input n;
    var count = 0;
    for (var i = 0; i < N; i++) {
        active[i] * (active[i] - 1) === 0;
        x[i] * (1 - active[i]) === 0;
        if (i > 0) {
            active[i] * (1 - active[i - 1]) === 0;
        }
        count += active[i];
    }
    active[0] === 1;
    count === n;
}

// Every value below valueLimit = 2^bits (one-hot below 2^(MAXBITS+1)): for each bit position j >= bits, the
// column sum of bit j over the window is 0. Column sums are at most N < p, so a zero sum means every bit is 0.
template WindowBitWidth(N, MAXBITS) {
    signal input valueBits[N][MAXBITS];
    signal input valueLimit;
    component lim = Num2Bits(MAXBITS + 1);
    lim.in <== valueLimit;
    var ones = 0;
    for (var j = 0; j <= MAXBITS; j++) ones += lim.out[j];
    ones === 1;
    var atOrAbove = 0; // 1 exactly when j >= bits
    for (var j = 0; j < MAXBITS; j++) {
        atOrAbove += lim.out[j];
        var column = 0;
        for (var i = 0; i < N; i++) column += valueBits[i][j];
        column * atOrAbove === 0;
    }
}

// Poseidon over L field elements: one Poseidon(L) when L <= 16, else a chain h = Poseidon(h, next 15 elements),
// the first link taking 16 elements and the last link what is left.
template PoseidonChain(L) {
    signal input in[L];
    signal output out;
    var links = L <= 16 ? 1 : 1 + (L - 16 + 14) \ 15;
    component h[links];
    var pos = 0;
    for (var c = 0; c < links; c++) {
        var take = c == 0 ? (L < 16 ? L : 16) : (L - pos < 15 ? L - pos : 15);
        var width = c == 0 ? take : take + 1;
        h[c] = Poseidon(width);
        var o = 0;
        if (c > 0) {
            h[c].inputs[0] <== h[c - 1].out;
            o = 1;
        }
        for (var t = 0; t < take; t++) h[c].inputs[o + t] <== in[pos + t];
        pos += take;
    }
    out <== h[links - 1].out;
}

// Commitment to the window: MAXBITS-bit lanes packed PACK to a field element (lane l of element e holds
// x[e*PACK + l] times 2^(MAXBITS*l)), then a header N + 2^16 n + 2^32 featureIndex, the baseline digest and the
// salt, hashed by PoseidonChain. n is at most N < 2^16 (Padding) and the verifier fixes featureIndex (< 2^32), so
// the header has one reading; two windows that differ in n, feature, size or baseline get different commitments.
template WindowCommitment(N, MAXBITS, PACK) {
    assert(MAXBITS * PACK <= 252);
    assert(N < 65536);
    signal input x[N];
    signal input n;
    signal input featureIndex;
    signal input baselineDigest;
    signal input salt;
    signal output out;
    var E = (N + PACK - 1) \ PACK;
    component chain = PoseidonChain(E + 3);
    for (var e = 0; e < E; e++) {
        var packed = 0;
        for (var l = 0; l < PACK; l++) {
            if (e * PACK + l < N) packed += x[e * PACK + l] * (1 << (MAXBITS * l));
        }
        chain.in[e] <== packed;
    }
    chain.in[E] <== N + n * 65536 + featureIndex * 4294967296;
    chain.in[E + 1] <== baselineDigest;
    chain.in[E + 2] <== salt;
    out <== chain.out;
}

// The whole statement. SUMBITS bounds sum differences, SPREADBITS the variance inequality (see the header of
// src/core/zk/statement.ts for why the public inputs fit).
template BaselineWindow(N, MAXBITS, PACK, SUMBITS, SPREADBITS) {
    // private
    signal input x[N];
    signal input active[N];
    signal input salt;
    // public
    signal input baselineDigest;
    signal input featureIndex;
    signal input n;
    signal input sumLower;
    signal input sumUpper;
    signal input vmax;
    signal input valueLimit;
    signal input nonce;
    signal output commitment;

    component range[N];
    for (var i = 0; i < N; i++) {
        range[i] = RangeBits(MAXBITS);
        range[i].in <== x[i];
    }
    component width = WindowBitWidth(N, MAXBITS);
    for (var i = 0; i < N; i++) for (var j = 0; j < MAXBITS; j++) width.valueBits[i][j] <== range[i].out[j];
    width.valueLimit <== valueLimit;

    component pad = Padding(N);
    for (var i = 0; i < N; i++) {
        pad.x[i] <== x[i];
        pad.active[i] <== active[i];
    }
    pad.n <== n;

    var S = 0;
    var Q = 0;
    signal sq[N];
    for (var i = 0; i < N; i++) {
        sq[i] <== x[i] * x[i];
        S += x[i];
        Q += sq[i];
    }

    component lo = GreaterEq(SUMBITS);
    lo.a <== S;
    lo.b <== sumLower;
    component hi = GreaterEq(SUMBITS);
    hi.a <== sumUpper;
    hi.b <== S;

    signal nQ <== n * Q;
    signal S2 <== S * S;
    signal nn <== n * n;
    signal limit <== nn * vmax;
    component spread = GreaterEq(SPREADBITS);
    spread.a <== limit;
    spread.b <== nQ - S2;

    // Bind the nonce, which no other constraint uses, so the proof cannot be replayed under another value (the
    // digest and the feature index are bound through the commitment).
    signal nonceSquared <== nonce * nonce;

    component commit = WindowCommitment(N, MAXBITS, PACK);
    for (var i = 0; i < N; i++) commit.x[i] <== x[i];
    commit.n <== n;
    commit.featureIndex <== featureIndex;
    commit.baselineDigest <== baselineDigest;
    commit.salt <== salt;
    commitment <== commit.out;
}
