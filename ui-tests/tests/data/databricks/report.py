# Databricks notebook source
# MAGIC %md
# MAGIC # Sales report

# COMMAND ----------

dbutils.widgets.dropdown("region", "north", ["north", "south"], "Region")
dbutils.widgets.text("min_amount", "10", "Minimum")

# COMMAND ----------

# MAGIC %run ./helpers

# COMMAND ----------

# DBTITLE 1,Orders by region
# MAGIC %sql
# MAGIC CREATE OR REPLACE TEMP VIEW sales AS
# MAGIC   SELECT * FROM VALUES ('north', 5), ('north', 50), ('south', 70), ('south', 80) AS t(region, amount);
# MAGIC SELECT region, count(*) AS orders FROM sales
# MAGIC WHERE region = :region AND amount >= ${min_amount} GROUP BY region

# COMMAND ----------

print(shout("done"))

# COMMAND ----------

token = dbutils.secrets.get("demo", "token")
print("token:", token)
