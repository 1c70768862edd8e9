//! Topics, queues, tables, repositories, secrets and databases with the settings their
//! controls ask for off, each tagged `team=payments`.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use aws_sdk_sqs::types::QueueAttributeName;
use hubfix::aws::Clients;

use crate::{unique, ACCOUNT, REGION};

/// An SNS topic without encryption at rest: SNS.1 fails. Returns its ARN.
pub async fn topic(clients: &Clients) -> String {
    clients
        .sns
        .create_topic()
        .name(unique("order-events"))
        .tags(
            aws_sdk_sns::types::Tag::builder()
                .key("team")
                .value("payments")
                .build()
                .expect("a tag"),
        )
        .send()
        .await
        .expect("create a topic")
        .topic_arn()
        .expect("a topic ARN")
        .to_owned()
}

/// An SQS queue with server-side encryption off: SQS.1 fails. Returns its ARN and URL.
pub async fn plain_queue(clients: &Clients) -> (String, String) {
    let name = unique("order-jobs");
    let url = clients
        .sqs
        .create_queue()
        .queue_name(&name)
        .attributes(QueueAttributeName::SqsManagedSseEnabled, "false")
        .tags("team", "payments")
        .send()
        .await
        .expect("create a queue")
        .queue_url()
        .expect("a queue URL")
        .to_owned();
    (format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"), url)
}

/// A DynamoDB table without point-in-time recovery or deletion protection: DynamoDB.2
/// and DynamoDB.6 fail. Returns its name
/// and ARN.
pub async fn table(clients: &Clients) -> (String, String) {
    let name = unique("orders");
    let arn = clients
        .dynamodb
        .create_table()
        .table_name(&name)
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .expect("a key"),
        )
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("an attribute"),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .tags(
            aws_sdk_dynamodb::types::Tag::builder()
                .key("team")
                .value("payments")
                .build()
                .expect("a tag"),
        )
        .send()
        .await
        .expect("create a table")
        .table_description()
        .and_then(|t| t.table_arn())
        .expect("a table ARN")
        .to_owned();
    (name, arn)
}

/// An ECR repository `shop/web-…` with neither scan on push nor immutable tags: ECR.1
/// and ECR.2 fail. Returns its name and ARN.
pub async fn repository(clients: &Clients) -> (String, String) {
    let name = format!("shop/{}", unique("web"));
    let arn = clients
        .ecr
        .create_repository()
        .repository_name(&name)
        .tags(
            aws_sdk_ecr::types::Tag::builder()
                .key("team")
                .value("payments")
                .build()
                .expect("a tag"),
        )
        .send()
        .await
        .expect("create a repository")
        .repository()
        .and_then(|r| r.repository_arn())
        .expect("a repository ARN")
        .to_owned();
    (name, arn)
}

/// A secret `prod/orders-db-…` holding `hunter2`, never rotated: SecretsManager.1 fails.
/// Returns its ARN.
pub async fn secret(clients: &Clients) -> String {
    clients
        .secretsmanager
        .create_secret()
        .name(format!("prod/{}", unique("orders-db")))
        .secret_string("hunter2")
        .tags(
            aws_sdk_secretsmanager::types::Tag::builder()
                .key("team")
                .value("payments")
                .build(),
        )
        .send()
        .await
        .expect("create a secret")
        .arn()
        .expect("a secret ARN")
        .to_owned()
}

/// The ARN of an RDS DB instance of the test account.
pub fn db_instance_arn(id: &str) -> String {
    format!("arn:aws:rds:{REGION}:{ACCOUNT}:db:{id}")
}

/// A PostgreSQL DB instance with every setting the RDS catalogue fixes off (publicly
/// accessible, no minor version upgrades, no deletion protection, tags not copied to
/// snapshots, no backups): RDS.2, RDS.8, RDS.11, RDS.13 and RDS.17 fail. Returns its id.
pub async fn db_instance(clients: &Clients) -> String {
    let id = unique("orders");
    clients
        .rds
        .create_db_instance()
        .db_instance_identifier(&id)
        .engine("postgres")
        .db_instance_class("db.t3.micro")
        .allocated_storage(20)
        .master_username("dbadmin")
        .master_user_password("correct-horse-battery")
        .publicly_accessible(true)
        .auto_minor_version_upgrade(false)
        .deletion_protection(false)
        .copy_tags_to_snapshot(false)
        .backup_retention_period(0)
        .tags(
            aws_sdk_rds::types::Tag::builder()
                .key("team")
                .value("payments")
                .build(),
        )
        .send()
        .await
        .expect("create a DB instance");
    id
}

/// An Aurora PostgreSQL cluster without deletion protection that does not copy its tags
/// to snapshots: RDS.7 and RDS.16 fail. Returns its ARN.
pub async fn db_cluster(clients: &Clients) -> String {
    let id = unique("ledger");
    clients
        .rds
        .create_db_cluster()
        .db_cluster_identifier(&id)
        .engine("aurora-postgresql")
        .master_username("dbadmin")
        .master_user_password("correct-horse-battery")
        .deletion_protection(false)
        .copy_tags_to_snapshot(false)
        .send()
        .await
        .expect("create a DB cluster");
    format!("arn:aws:rds:{REGION}:{ACCOUNT}:cluster:{id}")
}

/// A snapshot of a [`db_instance`] that every AWS account may restore, also shared with
/// account 111122223333: RDS.1 fails. Returns the snapshot's id.
pub async fn public_db_snapshot(clients: &Clients) -> String {
    let instance = db_instance(clients).await;
    let snapshot = unique("before-migration");
    clients
        .rds
        .create_db_snapshot()
        .db_snapshot_identifier(&snapshot)
        .db_instance_identifier(&instance)
        .send()
        .await
        .expect("create a DB snapshot");
    clients
        .rds
        .modify_db_snapshot_attribute()
        .db_snapshot_identifier(&snapshot)
        .attribute_name("restore")
        .values_to_add("all")
        .values_to_add("111122223333")
        .send()
        .await
        .expect("share the snapshot");
    snapshot
}

/// A manual snapshot of a new cluster of `engine` (`aurora-postgresql`, `aurora-mysql`,
/// `neptune`: clusters managed through RDS's API, as DocumentDB's are too) that every AWS account
/// may restore, also shared with account 111122223333: RDS.1, DocumentDB.3 or Neptune.3
/// fails. Returns the snapshot's id.
pub async fn public_cluster_snapshot(clients: &Clients, engine: &str) -> String {
    let cluster = unique(engine);
    clients
        .rds
        .create_db_cluster()
        .db_cluster_identifier(&cluster)
        .engine(engine)
        .master_username("dbadmin")
        .master_user_password("correct-horse-battery")
        .send()
        .await
        .expect("create a DB cluster");
    let snapshot = unique(&format!("{engine}-nightly"));
    clients
        .rds
        .create_db_cluster_snapshot()
        .db_cluster_snapshot_identifier(&snapshot)
        .db_cluster_identifier(&cluster)
        .send()
        .await
        .expect("create a DB cluster snapshot");
    clients
        .rds
        .modify_db_cluster_snapshot_attribute()
        .db_cluster_snapshot_identifier(&snapshot)
        .attribute_name("restore")
        .values_to_add("all")
        .values_to_add("111122223333")
        .send()
        .await
        .expect("share the cluster snapshot");
    snapshot
}

/// The ARN of an RDS DB cluster snapshot of the test account.
pub fn db_cluster_snapshot_arn(id: &str) -> String {
    format!("arn:aws:rds:{REGION}:{ACCOUNT}:cluster-snapshot:{id}")
}

/// The ARN of an RDS DB snapshot of the test account.
pub fn db_snapshot_arn(id: &str) -> String {
    format!("arn:aws:rds:{REGION}:{ACCOUNT}:snapshot:{id}")
}

/// A provisioned Redshift cluster with every setting the Redshift catalogue fixes off
/// (publicly accessible, automated snapshots kept 1 day, no major version upgrades, no
/// enhanced VPC routing, no audit logging), tagged `team=payments`: Redshift.1, .3, .4,
/// .6 and .7 fail. Returns its id and ARN.
pub async fn redshift_cluster(clients: &Clients) -> (String, String) {
    let id = unique("analytics");
    clients
        .redshift
        .create_cluster()
        .cluster_identifier(&id)
        .node_type("ra3.xlplus")
        .cluster_type("single-node")
        .master_username("awsuser")
        .master_user_password("Correct-horse-battery-1")
        .publicly_accessible(true)
        .automated_snapshot_retention_period(1)
        .allow_version_upgrade(false)
        .enhanced_vpc_routing(false)
        .tags(
            aws_sdk_redshift::types::Tag::builder()
                .key("team")
                .value("payments")
                .build(),
        )
        .send()
        .await
        .expect("create a Redshift cluster");
    let arn = format!("arn:aws:redshift:{REGION}:{ACCOUNT}:cluster:{id}");
    (id, arn)
}

/// A Redis OSS cache cluster `sessions-…` without automatic backups or automatic minor
/// version upgrades, tagged `team=payments`; in replication group `group` when given.
/// ElastiCache.1 and ElastiCache.2 fail. Returns its id and ARN.
pub async fn cache_cluster(clients: &Clients, group: Option<&str>) -> (String, String) {
    let id = unique("sessions");
    let out = clients
        .elasticache
        .create_cache_cluster()
        .cache_cluster_id(&id)
        .engine("redis")
        .cache_node_type("cache.t3.micro")
        .num_cache_nodes(1)
        .snapshot_retention_limit(0)
        .auto_minor_version_upgrade(false)
        .set_replication_group_id(group.map(str::to_owned))
        .tags(
            aws_sdk_elasticache::types::Tag::builder()
                .key("team")
                .value("payments")
                .build(),
        )
        .send()
        .await
        .expect("create a cache cluster");
    let arn = out
        .cache_cluster()
        .and_then(|c| c.arn())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("arn:aws:elasticache:{REGION}:{ACCOUNT}:cluster:{id}"));
    (id, arn)
}

/// A Redis OSS replication group `carts-…` of `clusters` clusters (one primary, the
/// rest replicas, asked for as replicas per node group: moto 5.2.5 ignores
/// `NumCacheClusters`) without automatic failover, backups or minor version upgrades:
/// with a replica, ElastiCache.3 fails. Returns its id and ARN.
pub async fn replication_group(clients: &Clients, clusters: i32) -> (String, String) {
    let id = unique("carts");
    let out = clients
        .elasticache
        .create_replication_group()
        .replication_group_id(&id)
        .replication_group_description("shopping carts")
        .engine("redis")
        .cache_node_type("cache.t3.micro")
        .set_replicas_per_node_group((clusters > 1).then_some(clusters - 1))
        .automatic_failover_enabled(false)
        .auto_minor_version_upgrade(false)
        .snapshot_retention_limit(0)
        .send()
        .await
        .expect("create a replication group");
    let arn = out
        .replication_group()
        .and_then(|g| g.arn())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("arn:aws:elasticache:{REGION}:{ACCOUNT}:replicationgroup:{id}"));
    (id, arn)
}

/// A provisioned DynamoDB table `stock-…` (5 read and 10 write units) with a global
/// secondary index `by-sku` (2 and 2), none of them scaling, tagged `team=payments`:
/// DynamoDB.1 fails. Returns its name and ARN.
pub async fn provisioned_table(clients: &Clients) -> (String, String) {
    use aws_sdk_dynamodb::types::{
        GlobalSecondaryIndex, Projection, ProjectionType, ProvisionedThroughput,
    };
    let throughput = |read, write| {
        ProvisionedThroughput::builder()
            .read_capacity_units(read)
            .write_capacity_units(write)
            .build()
            .expect("a throughput")
    };
    let key = |name: &str| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(KeyType::Hash)
            .build()
            .expect("a key")
    };
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .expect("an attribute")
    };
    let name = unique("stock");
    let arn = clients
        .dynamodb
        .create_table()
        .table_name(&name)
        .key_schema(key("pk"))
        .attribute_definitions(attribute("pk"))
        .attribute_definitions(attribute("sku"))
        .billing_mode(BillingMode::Provisioned)
        .provisioned_throughput(throughput(5, 10))
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("by-sku")
                .key_schema(key("sku"))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .provisioned_throughput(throughput(2, 2))
                .build()
                .expect("an index"),
        )
        .tags(
            aws_sdk_dynamodb::types::Tag::builder()
                .key("team")
                .value("payments")
                .build()
                .expect("a tag"),
        )
        .send()
        .await
        .expect("create a provisioned table")
        .table_description()
        .and_then(|t| t.table_arn())
        .expect("a table ARN")
        .to_owned();
    (name, arn)
}
