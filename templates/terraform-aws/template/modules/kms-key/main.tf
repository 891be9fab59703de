data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account_id   = data.aws_caller_identity.current.account_id
  account_root = "arn:${data.aws_partition.current.partition}:iam::${local.account_id}:root"

  # AWS's default key policy statement: the account (not "*") holds the key, and IAM policies
  # in this account decide who may use it. Without it the key can become unmanageable.
  # In a key policy the Resource "*" means "this key", so the policy is written inline rather
  # than with aws_iam_policy_document, whose identity-policy checks would misread that "*".
  account_statement = {
    Sid       = "EnableIAMPoliciesInThisAccount"
    Effect    = "Allow"
    Principal = { AWS = local.account_root }
    Action    = "kms:*"
    Resource  = "*"
  }

  # S3 server access logging delivers log objects as the logging.s3.amazonaws.com service
  # principal; it needs the key only for log buckets encrypted with it, and only for this account.
  s3_access_logging_statement = {
    Sid       = "AllowS3ServerAccessLogDeliveryFromThisAccount"
    Effect    = "Allow"
    Principal = { Service = "logging.s3.amazonaws.com" }
    Action    = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"]
    Resource  = "*"
    Condition = {
      StringEquals = { "aws:SourceAccount" = local.account_id }
    }
  }

  statements = concat(
    [local.account_statement],
    var.allow_s3_server_access_logging ? [local.s3_access_logging_statement] : [],
  )
}

resource "aws_kms_key" "this" {
  # Symmetric ENCRYPT_DECRYPT key (the default key spec and usage), the only kind S3 supports.
  description             = var.description
  is_enabled              = true
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_in_days
  multi_region            = false

  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.statements
  })

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}
