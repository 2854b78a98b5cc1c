"""Small, audited building blocks over libsodium (PyNaCl). Nothing here is home-made.

- Report keys: a fresh 256-bit key per report; fields are sealed with
  XChaCha20-Poly1305 (``Aead``) bound to the report's reference, files with
  libsodium's secretstream in 64 KiB chunks so memory stays bounded.
- Sealing: a report key is sealed (``crypto_box_seal``) to each reader's X25519
  public key, including a key pair derived from the reporter's receipt.
- Key wrapping: a responder's private key is wrapped under a key stretched from
  their password with Argon2id, and again under a random recovery key.
"""
