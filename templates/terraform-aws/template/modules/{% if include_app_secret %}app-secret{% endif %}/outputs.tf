output "secret_arn" {
  description = "ARN of the secret (grant secretsmanager:GetSecretValue on it, and kms:Decrypt on the key)."
  value       = aws_secretsmanager_secret.this.arn
}

output "secret_name" {
  description = "Name of the secret."
  value       = aws_secretsmanager_secret.this.name
}
