# Databricks notebook source
# MAGIC %md
# MAGIC # Ingest
# MAGIC Reads the raw orders of one day.

# COMMAND ----------

# MAGIC %run ./common

# COMMAND ----------

dbutils.widgets.text("env", "dev")
dbutils.widgets.text("day", "2024-01-01")
env = dbutils.widgets.get("env")
day = dbutils.widgets.get("day")

# COMMAND ----------

# DBTITLE 1,Credentials
api_token = dbutils.secrets.get(scope="sales", key="api-token")

# COMMAND ----------

# MAGIC %sql
# MAGIC SELECT '${day}' AS day, '${env}' AS env
