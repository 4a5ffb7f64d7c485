pragma circom 2.1.0;
// tcp prove, N = 256 observations of at most 32 bits, 7 lanes a field element (see lib/window.circom).
include "lib/window.circom";
component main {public [baselineDigest, featureIndex, n, sumLower, sumUpper, vmax, valueLimit, nonce]} = BaselineWindow(256, 32, 7, 64, 128);
