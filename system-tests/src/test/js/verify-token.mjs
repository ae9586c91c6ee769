// Verifies a Fulcrum access token with panva/jose, a JOSE implementation that shares no
// code with the Java side, against the JWK Set the stack publishes.
//
//   node verify-token.mjs <jwks-url> <token>
//
// Prints the protected header and the claims as one JSON line and exits 0 when the
// token verifies (ES256 only, issuer "fulcrum", audience "fulcrum-api"); prints the
// reason and exits 1 otherwise; exits 2 on wrong usage.
import { createRemoteJWKSet, jwtVerify } from 'jose';

const [jwksUrl, token] = process.argv.slice(2);
if (!jwksUrl || !token) {
  console.error('usage: node verify-token.mjs <jwks-url> <token>');
  process.exit(2);
}

try {
  const keys = createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 5000 });
  const { payload, protectedHeader } = await jwtVerify(token, keys, {
    algorithms: ['ES256'],
    issuer: 'fulcrum',
    audience: 'fulcrum-api',
    requiredClaims: ['sub', 'jti', 'sid', 'iat', 'exp'],
  });
  console.log(JSON.stringify({ header: protectedHeader, claims: payload }));
} catch (error) {
  console.error(`${error.code ?? error.name}: ${error.message}`);
  process.exit(1);
}
