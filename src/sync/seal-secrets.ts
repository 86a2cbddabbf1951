/** Turns clear connection secrets into the columns stored for them: ciphertexts plus masks. */
import type { SecretHints } from "../db/documents";
import { type SecretBox, secretHint } from "../lib/secret-box";

export type ConnectionSecretsInput = {
  accessTokenSecret: string;
  webhookSecrets?: string[] | null;
  signingPrivateKey?: string | null;
};

export type SealedConnectionSecrets = {
  accessTokenSecret: string;
  webhookSecrets: string | null;
  signingPrivateKey: string | null;
  secretHints: SecretHints;
};

export async function sealConnectionSecrets(
  box: SecretBox,
  input: ConnectionSecretsInput,
): Promise<SealedConnectionSecrets> {
  const webhookSecrets = input.webhookSecrets?.filter(Boolean) ?? [];
  return {
    accessTokenSecret: await box.seal(input.accessTokenSecret),
    webhookSecrets: webhookSecrets.length > 0 ? await box.seal(JSON.stringify(webhookSecrets)) : null,
    signingPrivateKey: input.signingPrivateKey ? await box.seal(input.signingPrivateKey) : null,
    secretHints: {
      access_token_secret: secretHint(input.accessTokenSecret),
      ...(webhookSecrets.length > 0 ? { webhook_secrets: webhookSecrets.map(secretHint) } : {}),
      ...(input.signingPrivateKey ? { signing_private_key: secretHint(input.signingPrivateKey.trim()) } : {}),
    },
  };
}
