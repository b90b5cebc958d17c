/**
 * A custom endpoint (an S3-compatible server, DynamoDB Local) accepts any
 * credentials; when the environment names none, placeholder ones keep the
 * AWS SDK from failing on a missing profile. Real AWS keeps its own chain.
 */
export function localEndpointCredentials(): { credentials?: { accessKeyId: string; secretAccessKey: string } } {
  const configured = Boolean(process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE || process.env.AWS_WEB_IDENTITY_TOKEN_FILE);
  return configured ? {} : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}
